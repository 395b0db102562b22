#!/usr/bin/env bash
# The test command (README, "The two commands"): installs what the tests need
# when it is missing, then runs every test.
#
# - the `cedar` CLI at the version agentgate pins (cedar-policy-cli), the
#   independent oracle of the policy toolkit's tests: built once into
#   target/tools with cargo (a few minutes);
# - cvc5, the SMT solver the policy-impact proofs use (Debian's package);
# - Node.js and npm when missing (Debian's packages), and the npm MCP peers
#   of tests/it/mcp.rs (the reference filesystem server and the MCP
#   Inspector CLI, pinned in tests/mcp-peers/package-lock.json, `npm ci`);
# - the OpenClaw plugin's npm dependencies (integrations/openclaw, from its
#   lockfile), among them Node 24 from the npm package `node`: OpenClaw needs
#   Node 24, so the plugin is tested under it whatever Node the machine has.
#
# Then `cargo test`, then the plugin's tests (`node --test`) against the
# binary cargo built. Arguments go to `cargo test` (e.g. scripts/test.sh
# gate_soundness); with arguments the plugin's tests are not run, and the
# script says so. Then the plugin is loaded into real OpenClaw
# (integrations/openclaw-e2e: `npm ci` of the pinned `openclaw`, about
# 650 MB, and four agent turns of about 30 s each). AGENTGATE_OPENCLAW_E2E=0
# skips that one step on a machine without the room, and the script says it
# was not run; CI never sets it.
set -euo pipefail
cd "$(dirname "$0")/.."

CEDAR_VERSION=4.14.1
TOOLS="$PWD/target/tools"
export PATH="$TOOLS/bin:$HOME/.cargo/bin:$PATH"

if [ "$(cedar --version 2>/dev/null || true)" != "cedar-policy-cli $CEDAR_VERSION" ]; then
  echo "scripts/test.sh: building cedar-policy-cli $CEDAR_VERSION into target/tools (the tests' oracle; once, a few minutes)" >&2
  cargo install cedar-policy-cli --version "$CEDAR_VERSION" --locked --quiet --root "$TOOLS"
fi

if ! command -v cvc5 >/dev/null 2>&1; then
  echo "scripts/test.sh: installing cvc5 (the policy-impact proofs' solver)" >&2
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq cvc5 >/dev/null
  elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq && sudo apt-get install -y -qq cvc5 >/dev/null
  else
    echo "scripts/test.sh: cvc5 is missing and cannot be installed here; install it (apt-get install cvc5, brew install cvc5) or set CVC5=/path/to/cvc5" >&2
    exit 2
  fi
fi

install_debian() {
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq "$@" >/dev/null
  elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq && sudo apt-get install -y -qq "$@" >/dev/null
  else
    return 1
  fi
}

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "scripts/test.sh: installing Node.js and npm (the MCP peers of tests/it/mcp.rs, the OpenClaw plugin's tests)" >&2
  install_debian nodejs npm || {
    echo "scripts/test.sh: Node.js is missing and cannot be installed here; install Node.js 18 or later with npm" >&2
    exit 2
  }
fi
if [ ! -e tests/mcp-peers/node_modules/.package-lock.json ] ||
  [ tests/mcp-peers/package-lock.json -nt tests/mcp-peers/node_modules/.package-lock.json ]; then
  echo "scripts/test.sh: installing the npm MCP peers (tests/mcp-peers, npm ci)" >&2
  npm ci --prefix tests/mcp-peers --silent --no-audit --no-fund
fi

# Node 24 from the plugin's lockfile (the npm package `node`): the plugin
# needs it, and the npm MCP peers run under it too, so the tests see the
# same Node whatever the machine has (Debian's own nodejs is older).
npm ci --prefix integrations/openclaw --no-audit --no-fund --silent
NODE24="$PWD/integrations/openclaw/node_modules/.bin/node"
NODE24_DIR="$PWD/integrations/openclaw/node_modules/node/bin"

PATH="$NODE24_DIR:$PATH" cargo test --workspace --locked "$@"

if [ "$#" -gt 0 ]; then
  echo "scripts/test.sh: a cargo test filter was given, so the OpenClaw plugin's tests (integrations/openclaw, integrations/openclaw-e2e) were not run" >&2
  exit 0
fi

echo "scripts/test.sh: the OpenClaw plugin's tests (integrations/openclaw, node --test under Node 24)" >&2
BIN="$PWD/target/debug/agentgate"
(cd integrations/openclaw && AGENTGATE_BIN="$BIN" "$NODE24" --test "test/**/*.test.js")

if [ "${AGENTGATE_OPENCLAW_E2E:-1}" != 0 ]; then
  echo "scripts/test.sh: the plugin in real OpenClaw (integrations/openclaw-e2e)" >&2
  npm ci --prefix integrations/openclaw-e2e --ignore-scripts --no-audit --no-fund --silent
  (cd integrations/openclaw-e2e && AGENTGATE_BIN="$BIN" "$NODE24" --test --test-concurrency=1 "*.test.js")
else
  echo "scripts/test.sh: the plugin in real OpenClaw (integrations/openclaw-e2e) was not run (AGENTGATE_OPENCLAW_E2E=0); without it the script installs openclaw from npm (~650 MB) and runs it" >&2
fi
