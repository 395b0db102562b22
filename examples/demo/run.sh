#!/usr/bin/env bash
# The gate on a shipped example: a repository scaffolded by `agentgate init`,
# a pull request in which Copilot edits a workflow and a source file, judged
# without and then with a maintainer's approval.
#
#   examples/demo/run.sh            (uses `cargo run --release`)
#   AGENTGATE=path/to/agentgate examples/demo/run.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
if [ -z "${AGENTGATE:-}" ]; then
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
