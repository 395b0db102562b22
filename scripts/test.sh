#!/usr/bin/env bash
# The test command (README, "The two commands"): installs what the tests need
# when it is missing, then runs every test.
#
# - the `cedar` CLI at the version agentgate pins (cedar-policy-cli), the
#   independent oracle of the policy toolkit's tests: built once into
#   target/tools with cargo (a few minutes);
# - cvc5, the SMT solver the policy-impact proofs use (Debian's package);
# - Node.js and the npm MCP peers of tests/it/mcp.rs (the reference
#   filesystem server and the MCP Inspector CLI, pinned in
#   tests/mcp-peers/package-lock.json), installed with `npm ci`.
#
# Arguments go to `cargo test` (e.g. scripts/test.sh gate_soundness).
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
  echo "scripts/test.sh: installing Node.js and npm (the MCP peers of tests/it/mcp.rs)" >&2
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

exec cargo test --workspace --locked "$@"
