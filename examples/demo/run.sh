#!/usr/bin/env bash
# agentgate on a shipped example, at both moments an agent can do harm, in a
# repository scaffolded by `agentgate init`:
#
# - run time: the incidents agentgate exists for, as tool calls through the
#   Claude Code hook (a public post asks, a mailbox deletion asks, an edit
#   of the ACL files is denied, an ordinary edit is left to Claude Code);
# - merge time: a pull request in which Copilot edits a workflow and a
#   source file, judged without, with the wrong, and with the right approval.
#
#   examples/demo/run.sh            (builds agentgate first: a few minutes from cold)
#   AGENTGATE=path/to/agentgate examples/demo/run.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
if [ -z "${AGENTGATE:-}" ]; then
  echo "building agentgate (cargo build --release; from a cold start this takes several minutes) ..." >&2
  cargo build --release --locked --quiet --manifest-path "$root/Cargo.toml"
  AGENTGATE="$root/target/release/agentgate"
fi
repo="$(mktemp -d)"
trap 'rm -rf "$repo"' EXIT
cd "$repo"
git init -q -b main
git config user.name "Alice Maintainer"; git config user.email alice@example.com; git config commit.gpgsign false

"$AGENTGATE" init >/dev/null
sed -i 's/maintainers = \[\]/maintainers = ["alice"]/' agentgate.toml
mkdir -p .github/workflows src
printf 'on: push\njobs: { test: { runs-on: ubuntu-latest, steps: [{ run: make test }] } }\n' > .github/workflows/ci.yml
printf 'fn main() {}\n' > src/main.rs
git add -A && git commit -qm "Base: agentgate policies, CI and code"
base=$(git rev-parse HEAD)

# One tool call through the Claude Code hook: prints what Claude Code is told.
hook() {
  local tool="$1" input="$2" out
  out=$(printf '{"session_id":"demo","cwd":"%s","permission_mode":"default","hook_event_name":"PreToolUse","tool_name":"%s","tool_input":%s}' \
    "$repo" "$tool" "$input" | env -u CI -u GITHUB_ACTIONS "$AGENTGATE" hook claude-code)
  if [ -z "$out" ]; then
    echo "  $tool: no objection (Claude Code's own permission rules decide)"
  else
    printf '  %s: %s\n' "$tool" "$(printf '%s' "$out" | sed -E 's/.*"permissionDecision":"([a-z]+)".*"permissionDecisionReason":"([^"]*)".*/\1 -- \2/')"
  fi
}

echo "== run time: an agent's tool calls, through the Claude Code hook"
hook mcp__slack__chat_postMessage '{"channel":"#general","text":"the answer","private":true}'
hook mcp__gmail__batch_delete_emails '{"messageIds":["18c1","18c2","18c3"]}'
hook Edit "{\"file_path\":\"$repo/.github/workflows/ci.yml\",\"old_string\":\"push\",\"new_string\":\"pull_request_target\"}"
hook Bash '{"command":"cd .github && sed -i s/push/pull_request_target/ workflows/ci.yml"}'
hook Edit "{\"file_path\":\"$repo/src/main.rs\",\"old_string\":\"{}\",\"new_string\":\"{ }\"}"
echo
echo "== merge time: the gate on a pull request"

git checkout -qb copilot/fix-ci
printf 'on: [push, pull_request_target]\njobs: { test: { runs-on: ubuntu-latest, steps: [{ run: make test }] } }\n' > .github/workflows/ci.yml
printf 'fn main() { println!("hello"); }\n' > src/main.rs
git add -A
GIT_AUTHOR_NAME=Copilot GIT_AUTHOR_EMAIL=198982749+Copilot@users.noreply.github.com \
GIT_COMMITTER_NAME=GitHub GIT_COMMITTER_EMAIL=noreply@github.com \
  git commit -qm $'Run CI on pull requests\n\nCo-authored-by: bob <4242+bob@users.noreply.github.com>'
head=$(git rev-parse HEAD)

echo "== 1. the pull request as opened: no reviews"
"$AGENTGATE" gate --base "$base" --head "$head" || echo "(exit $?: blocked)"

echo
echo "== 2. bob, who asked Copilot, approves; alice approved an older commit"
cat > reviews.json <<JSON
[{"user": {"login": "bob", "type": "User"}, "state": "APPROVED", "commit_id": "$head", "submitted_at": "2025-01-01T10:00:00Z"},
 {"user": {"login": "alice", "type": "User"}, "state": "APPROVED", "commit_id": "$base", "submitted_at": "2025-01-01T10:05:00Z"}]
JSON
"$AGENTGATE" gate --base "$base" --head "$head" --signoffs reviews.json || echo "(exit $?: blocked)"

echo
echo "== 3. alice, a maintainer, approves the head"
cat > reviews.json <<JSON
[{"user": {"login": "alice", "type": "User"}, "state": "APPROVED", "commit_id": "$head", "submitted_at": "2025-01-01T11:00:00Z"}]
JSON
"$AGENTGATE" gate --base "$base" --head "$head" --signoffs reviews.json && echo "(exit 0: pass)"
