#!/usr/bin/env bash
# Write DIR/SHA256SUMS over the release assets in DIR: scripts/sha256sums.sh DIR
#
# One line per asset (agentgate-*.tar.gz, agentgate-*.zip), sorted by name,
# in sha256sum's format: `<64 hex>  <asset>`. scripts/install.sh checks an
# asset against its own line only, so this file is the release's contract;
# check it with `sha256sum --check SHA256SUMS` (or `shasum -a 256 --check`).
set -euo pipefail

die() {
  echo "sha256sums.sh: error: $*" >&2
  exit 2
}

[ $# -eq 1 ] || die "usage: scripts/sha256sums.sh DIR"
dir=$1
[ -d "$dir" ] || die "'$dir' is not a directory"

if command -v sha256sum >/dev/null 2>&1; then
  sha256() { sha256sum -- "$@"; }
elif command -v shasum >/dev/null 2>&1; then
  sha256() { shasum -a 256 -- "$@"; }
else
  die "neither sha256sum nor shasum is installed"
fi

cd "$dir"
# Byte order for the glob, so the file reads the same on every machine.
export LC_ALL=C
assets=()
for name in agentgate-*; do
  case $name in
    *.tar.gz | *.zip) [ -f "$name" ] && assets+=("$name") ;;
  esac
done
[ ${#assets[@]} -gt 0 ] || die "no release assets (agentgate-*.tar.gz, agentgate-*.zip) in '$dir'"

sha256 "${assets[@]}" >SHA256SUMS.tmp
# Both tools print `<hash>  <name>`; make sure nothing else slipped in.
if LC_ALL=C grep -vqE '^[0-9a-f]{64}  agentgate-[^ /]+$' SHA256SUMS.tmp; then
  rm -f SHA256SUMS.tmp
  die "unexpected checksum line format"
fi
mv SHA256SUMS.tmp SHA256SUMS
cat SHA256SUMS
