#!/usr/bin/env bash
# Install cvc5, the SMT solver of the policy-impact proof, for the GitHub
# Action (action.yml, input `prove`). Best effort: the gate runs without it
# and its report says the proof was skipped, so a failure here is a warning,
# never an error (exit 0).
#
# Linux: Debian/Ubuntu's package (apt-get, with sudo when not root).
# macOS: Homebrew, when it is there. Elsewhere: a warning.
set -euo pipefail

warn() {
  if [ "${GITHUB_ACTIONS:-}" = true ]; then
    echo "::warning title=agentgate::$*"
  else
    echo "install-cvc5.sh: warning: $*" >&2
  fi
}

if command -v cvc5 >/dev/null 2>&1; then
  echo "cvc5 is already installed: $(cvc5 --version 2>/dev/null | head -n 1 || true)"
  exit 0
fi

as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo -n "$@"
  else
    return 1
  fi
}

case "$(uname -s)" in
  Linux)
    if command -v apt-get >/dev/null 2>&1 &&
      as_root apt-get update -qq &&
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq cvc5 >/dev/null; then
      :
    else
      warn "could not install cvc5 with apt-get; the policy-impact proof is skipped (install cvc5 on the runner to run it)"
      exit 0
    fi
    ;;
  Darwin)
    if ! command -v brew >/dev/null 2>&1 || ! brew install cvc5; then
      warn "could not install cvc5 with Homebrew; the policy-impact proof is skipped (install cvc5 on the runner to run it)"
      exit 0
    fi
    ;;
  *)
    warn "no cvc5 installer for $(uname -s); the policy-impact proof is skipped (put cvc5 on PATH to run it)"
    exit 0
    ;;
esac

if command -v cvc5 >/dev/null 2>&1; then
  echo "installed $(cvc5 --version 2>/dev/null | head -n 1 || echo cvc5)"
else
  warn "cvc5 was installed but is not on PATH; the policy-impact proof is skipped"
fi
