#!/usr/bin/env bash
# Package one release build (bash 3.2 or later: macOS runners too): scripts/package.sh TARGET TAG BIN OUTDIR
#
# Writes OUTDIR/agentgate-TAG-TARGET.tar.gz (a .zip for Windows targets)
# holding, at its root, the binary named `agentgate` (`agentgate.exe` on
# Windows), README.md, and LICENSE when the repository has one, and prints
# the archive's path.
#
# The asset name is a contract: scripts/install.sh (run by action.yml)
# downloads exactly `agentgate-<tag>-<target>.<ext>` and checks it against the
# line of that name in the release's SHA256SUMS (scripts/sha256sums.sh).
# The release workflow and the tests (tests/it/install.rs) both call this
# script, so what is tested is what ships.
set -euo pipefail

die() {
  echo "package.sh: error: $*" >&2
  exit 2
}

[ $# -eq 4 ] || die "usage: scripts/package.sh TARGET TAG BIN OUTDIR (e.g. x86_64-unknown-linux-musl v0.2.0 target/x86_64-unknown-linux-musl/release/agentgate dist)"
target=$1 tag=$2 bin=$3 outdir=$4

[[ $target =~ ^[A-Za-z0-9_]+(-[A-Za-z0-9_.]+)+$ ]] ||
  die "TARGET '$target' is not a target triple (e.g. x86_64-unknown-linux-musl)"
[[ $tag =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] ||
  die "TAG '$tag' is not a release tag (vMAJOR.MINOR.PATCH, e.g. v0.2.0)"
[ -f "$bin" ] || die "BIN '$bin' does not exist (build it first: cargo build --release --locked --target $target)"

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)

stage=$(mktemp -d "${TMPDIR:-/tmp}/agentgate-package.XXXXXX")
trap 'rm -rf "$stage"' EXIT

case $target in
  *-windows-*) exe=agentgate.exe ext=zip ;;
  *) exe=agentgate ext=tar.gz ;;
esac
files=("$exe" README.md)
cp "$bin" "$stage/$exe"
chmod 0755 "$stage/$exe"
cp "$repo/README.md" "$stage/README.md"
chmod 0644 "$stage/README.md"
if [ -f "$repo/LICENSE" ]; then
  cp "$repo/LICENSE" "$stage/LICENSE"
  chmod 0644 "$stage/LICENSE"
  files+=(LICENSE)
fi

asset="agentgate-$tag-$target.$ext"
out="$outdir/$asset"
rm -f "$out"

if [ "$ext" = zip ]; then
  if command -v zip >/dev/null 2>&1; then
    (cd "$stage" && zip -q -X "$out" "${files[@]}")
  elif command -v 7z >/dev/null 2>&1; then
    # Windows runners have 7-Zip, not zip.
    (cd "$stage" && 7z a -tzip -bso0 -bsp0 "$out" "${files[@]}")
  else
    die "neither zip nor 7z is installed; install one of them to package $target"
  fi
else
  # Same bytes for the same inputs where GNU tar allows it (Linux runners):
  # fixed owner, order and time; gzip without a name or time stamp.
  tar_flags=()
  if tar --version 2>/dev/null | grep -q 'GNU tar'; then
    tar_flags=(--owner=0 --group=0 --numeric-owner --sort=name
      "--mtime=@${SOURCE_DATE_EPOCH:-0}")
  fi
  (cd "$stage" && tar ${tar_flags[@]+"${tar_flags[@]}"} -cf - "${files[@]}") | gzip -9 -n >"$out"
fi

echo "$out"
