#!/usr/bin/env bash
# Install agentgate for the GitHub Action (action.yml runs this from
# $GITHUB_ACTION_PATH), or anywhere else: the same script, tested by
# tests/it/install.rs against a real HTTP server on 127.0.0.1.
#
#   scripts/install.sh [all|release|source|resolve|source-hash]
#
#   all          (default) `release`, then `source` when no release applies
#   release      install the release that matches, verified; when none applies
#                (and none was asked for), write method=source and the source
#                hash to $GITHUB_OUTPUT for the cache steps, build nothing
#   source       build from the action's own source (cargo install --locked)
#   resolve      print the version `release` would download (empty: none)
#   source-hash  print the hash of the action's own source (the cache key)
#
# Which version:
#   - INPUT_VERSION (the action's `version` input, e.g. v0.2.0) when given;
#   - else from the action's own ref (AGENTGATE_ACTION_REF, from
#     github.action_ref; when the runner leaves it empty, as it can for
#     composite actions, the REF of a $GITHUB_ACTION_PATH ending in
#     _actions/OWNER/REPO/REF): a full tag vX.Y.Z is that release; a moving
#     tag vX or vX.Y is the version in the action's Cargo.toml when it
#     matches; a branch, a commit or a local `uses: ./` has no release, and
#     agentgate is built from the action's own source.
#
# The download is `agentgate-<tag>-<target>.tar.gz` (.zip on Windows) and
# SHA256SUMS from ${AGENTGATE_RELEASE_URL:-https://github.com/<action
# repository>/releases/download}/<tag>/. The asset is checked against its own
# line of SHA256SUMS before it is unpacked or run; then `agentgate --version`
# must name the tag. Fail closed:
#   - a checksum mismatch, a missing line, a missing SHA256SUMS, a version
#     mismatch: error, nothing installed, no fallback;
#   - an explicitly requested version that does not exist (404): error;
#   - a version derived from the ref that has no release (404): a notice, and
#     agentgate is built from the action's own source.
# Downloads are https only; plain http only to loopback (127.0.0.1,
# localhost, [::1]), for tests.
#
# Environment: INPUT_VERSION, AGENTGATE_ACTION_REF,
# AGENTGATE_ACTION_REPOSITORY (github.action_repository), GITHUB_ACTION_PATH
# (default: this script's repository), AGENTGATE_RELEASE_URL,
# AGENTGATE_TARGET (override the detected target triple),
# AGENTGATE_INSTALL_DIR (default $RUNNER_TEMP/agentgate-bin),
# AGENTGATE_SOURCE_ROOT (default $RUNNER_TEMP/agentgate-source, the cached
# `cargo install --root`), AGENTGATE_CACHE_HIT (true: reuse the build in
# AGENTGATE_SOURCE_ROOT), AGENTGATE_SOURCE_BUILD_CMD (replaces `cargo
# install`, run by bash with AGENTGATE_ACTION_PATH and AGENTGATE_SOURCE_ROOT
# set; for tests), GITHUB_PATH, GITHUB_OUTPUT, RUNNER_TEMP.
#
# Bash 3.2 or later (macOS runners): no associative arrays, no mapfile.
set -euo pipefail
# Bash 4.4+: functions run in $(...) stop at their first failure too.
shopt -s inherit_errexit 2>/dev/null || true

RELEASE_TAG_RE='^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$'
MOVING_TAG_RE='^v[0-9]+(\.[0-9]+)?$'

in_actions() { [ "${GITHUB_ACTIONS:-}" = true ]; }

# Progress, on stderr (stdout carries `resolve` and `source-hash` answers and
# workflow commands).
say() { echo "agentgate install: $*" >&2; }

notice() {
  if in_actions; then
    echo "::notice title=agentgate install::$*"
  else
    echo "agentgate install: notice: $*" >&2
  fi
}

die() {
  if in_actions; then
    echo "::error title=agentgate install::$*"
  fi
  echo "agentgate install: error: $*" >&2
  exit 1
}

usage() {
  sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

action_path() {
  if [ -n "${GITHUB_ACTION_PATH:-}" ]; then
    printf '%s\n' "$GITHUB_ACTION_PATH"
  else
    (cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  fi
}
ACTION_PATH=$(action_path)

# OWNER/REPO/REF from a path ending in _actions/OWNER/REPO/REF (where the
# runner unpacks a remote action), or nothing.
path_parts() {
  local p=${ACTION_PATH//\\//}
  p=${p%/}
  if [[ $p =~ /_actions/([^/]+)/([^/]+)/([^/]+)$ ]]; then
    printf '%s %s %s\n' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" "${BASH_REMATCH[3]}"
  fi
}

action_ref() {
  if [ -n "${AGENTGATE_ACTION_REF:-}" ]; then
    printf '%s\n' "$AGENTGATE_ACTION_REF"
    return
  fi
  local parts
  parts=$(path_parts)
  if [ -n "$parts" ]; then
    printf '%s\n' "${parts##* }"
  fi
}

action_repository() {
  if [ -n "${AGENTGATE_ACTION_REPOSITORY:-}" ]; then
    printf '%s\n' "$AGENTGATE_ACTION_REPOSITORY"
    return
  fi
  local parts owner rest
  parts=$(path_parts)
  if [ -n "$parts" ]; then
    owner=${parts%% *}
    rest=${parts#* }
    printf '%s/%s\n' "$owner" "${rest%% *}"
  fi
}

# `[package] version` of DIR/Cargo.toml, or nothing.
cargo_version() {
  local manifest=$1/Cargo.toml
  [ -f "$manifest" ] || return 0
  awk '
    /^[[:space:]]*\[/ { in_pkg = ($0 ~ /^[[:space:]]*\[package\][[:space:]]*(#.*)?$/); next }
    in_pkg && /^[[:space:]]*version[[:space:]]*=/ {
      v = $0
      sub(/^[^=]*=[[:space:]]*"/, "", v)
      sub(/".*$/, "", v)
      print v
      exit
    }
  ' "$manifest" | tr -d '\r'
}

# Sets VERSION (a release tag, or empty), FROM (input | ref) and, when
# VERSION is empty, WHY (the reason no release applies).
resolve() {
  VERSION="" FROM="" WHY=""
  if [ -n "${INPUT_VERSION:-}" ]; then
    [[ $INPUT_VERSION =~ $RELEASE_TAG_RE ]] ||
      die "the 'version' input '$INPUT_VERSION' is not a release tag (vMAJOR.MINOR.PATCH, e.g. v0.2.0); fix it, or leave it empty to use the release matching the action's ref"
    VERSION=$INPUT_VERSION FROM=input
    return
  fi
  FROM=ref
  local ref cv
  ref=$(action_ref)
  if [ -z "$ref" ]; then
    WHY="the action's ref is unknown (a local 'uses: ./' action?), so no release matches it"
  elif [[ $ref =~ $RELEASE_TAG_RE ]]; then
    VERSION=$ref
  elif [[ $ref =~ $MOVING_TAG_RE ]]; then
    cv=$(cargo_version "$ACTION_PATH")
    if [[ v$cv =~ $RELEASE_TAG_RE ]] && [[ $cv == "${ref#v}."* ]]; then
      VERSION=v$cv
    else
      WHY="the action's ref $ref is a moving tag, but the action's Cargo.toml says version '${cv:-?}', which is not $ref.*"
    fi
  else
    WHY="the action's ref '$ref' is a branch or a commit, not a release tag"
  fi
}

# Sets TARGET (empty when no release build exists for this machine), EXE
# and EXT.
detect_target() {
  local os arch
  os=$(uname -s) arch=$(uname -m)
  PLATFORM="$os $arch"
  if [ -n "${AGENTGATE_TARGET:-}" ]; then
    TARGET=$AGENTGATE_TARGET
  else
    case "$os/$arch" in
      Linux/x86_64 | Linux/amd64) TARGET=x86_64-unknown-linux-musl ;;
      Linux/aarch64 | Linux/arm64) TARGET=aarch64-unknown-linux-musl ;;
      Darwin/x86_64) TARGET=x86_64-apple-darwin ;;
      Darwin/arm64 | Darwin/aarch64) TARGET=aarch64-apple-darwin ;;
      MINGW*/x86_64 | MSYS*/x86_64 | CYGWIN*/x86_64) TARGET=x86_64-pc-windows-msvc ;;
      *) TARGET="" ;;
    esac
  fi
  case $TARGET in
    *-windows-*) EXE=agentgate.exe EXT=zip ;;
    *) EXE=agentgate EXT=tar.gz ;;
  esac
}

exe_name() {
  case "$(uname -s)" in
    MINGW* | MSYS* | CYGWIN*) echo agentgate.exe ;;
    *) echo agentgate ;;
  esac
}

# sha256sum, or shasum -a 256 (macOS); both print `<hash>  <name>`.
if command -v sha256sum >/dev/null 2>&1; then
  SHA256=(sha256sum)
elif command -v shasum >/dev/null 2>&1; then
  SHA256=(shasum -a 256)
else
  SHA256=()
fi

sha256_of() {
  [ ${#SHA256[@]} -gt 0 ] ||
    die "neither sha256sum nor shasum is installed, so the download cannot be verified"
  "${SHA256[@]}" "$@"
}

# Hash of the action's own source: Cargo.lock and every .rs, .toml, .cedar,
# .cedarschema and .json file (the binary embeds schemas, policies and
# catalogs with include_str!), outside target/, .git/ and node_modules/.
source_hash() {
  [ ${#SHA256[@]} -gt 0 ] || die "neither sha256sum nor shasum is installed"
  [ -f "$ACTION_PATH/Cargo.lock" ] ||
    die "the action's source at $ACTION_PATH has no Cargo.lock, so it cannot be built with --locked"
  (
    cd "$ACTION_PATH"
    find . \( -name target -o -name .git -o -name node_modules \) -prune -o -type f \
      \( -name Cargo.lock -o -name '*.rs' -o -name '*.toml' -o -name '*.cedar' \
      -o -name '*.cedarschema' -o -name '*.json' \) -print0 |
      LC_ALL=C sort -z | xargs -0 "${SHA256[@]}"
  ) | sha256_of | cut -c1-64
}

output() {
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT"
  fi
}

add_to_path() {
  local dir=$1
  if [ -n "${GITHUB_PATH:-}" ]; then
    if command -v cygpath >/dev/null 2>&1; then
      dir=$(cygpath -w "$dir")
    fi
    printf '%s\n' "$dir" >>"$GITHUB_PATH"
  else
    say "installed in $dir; add it to PATH"
  fi
}

tmp_base() { printf '%s\n' "${RUNNER_TEMP:-${TMPDIR:-/tmp}}"; }

# URL checks: https, or plain http to loopback only. Sets CURL_ARGS.
check_release_url() {
  local url=$1
  CURL_ARGS=(--silent --show-error --retry 3 --connect-timeout 20 --max-time 900)
  if [[ $url =~ ^https://[^@[:space:]]+$ ]]; then
    CURL_ARGS+=(--proto '=https' --location --proto-redir '=https')
  elif [[ $url =~ ^http://(127\.0\.0\.1|localhost|\[::1\])(:[0-9]+)?(/[^@[:space:]]*)?$ ]]; then
    # Loopback (tests): plain http, straight to it (no proxy), no redirects.
    CURL_ARGS+=(--proto '=http' --noproxy '*')
  else
    die "the release URL '$url' is neither https nor http to loopback (127.0.0.1, localhost); refusing to download a binary over it"
  fi
}

# Download URL to FILE. Returns 0 on 200, 1 on 404; anything else is an
# error.
fetch() {
  local url=$1 out=$2 code
  if ! code=$(curl "${CURL_ARGS[@]}" --output "$out" --write-out '%{http_code}' "$url"); then
    die "could not download $url (curl's error above); check the runner's network, then re-run"
  fi
  case $code in
    200) return 0 ;;
    404) return 1 ;;
    *) die "downloading $url answered HTTP $code; re-run later, or pin another 'version'" ;;
  esac
}

# The expected hash of ASSET from SHA256SUMS (exactly one line for it).
expected_hash() {
  local sums=$1 asset=$2 lines
  lines=$(tr -d '\r' <"$sums" | awk -v a="$asset" \
    '($2 == a || $2 == "*" a) && $1 ~ /^[0-9a-fA-F]+$/ && length($1) == 64 { print tolower($1) }' |
    sort -u)
  if [ -z "$lines" ]; then
    die "SHA256SUMS of the release has no line for $asset, so it cannot be verified; not installed"
  fi
  if [ "$(printf '%s\n' "$lines" | wc -l | tr -d ' ')" != 1 ]; then
    die "SHA256SUMS of the release has conflicting lines for $asset; not installed"
  fi
  printf '%s\n' "$lines"
}

unpack() {
  local archive=$1 dest=$2
  if [ "$EXT" = zip ]; then
    if command -v unzip >/dev/null 2>&1; then
      unzip -q -o "$archive" "$EXE" -d "$dest"
    elif command -v 7z >/dev/null 2>&1; then
      7z x -y -bso0 -bsp0 "-o$dest" "$archive" "$EXE"
    else
      die "neither unzip nor 7z is installed, so the release cannot be unpacked"
    fi
  else
    tar -xzf "$archive" -C "$dest" "$EXE"
  fi
}

use_source() {
  local hash
  hash=$(source_hash)
  METHOD=source
  output method source
  output source-hash "$hash"
}

phase_release() {
  resolve
  if [ -z "$VERSION" ]; then
    notice "$WHY: building agentgate from the action's own source"
    use_source
    return
  fi

  detect_target
  if [ -z "$TARGET" ]; then
    [ "$FROM" = ref ] ||
      die "there is no release build of agentgate for $PLATFORM; leave 'version' empty to build from the action's own source"
    notice "there is no release build of agentgate for $PLATFORM: building it from the action's own source"
    use_source
    return
  fi

  local base repo
  base=${AGENTGATE_RELEASE_URL:-}
  if [ -z "$base" ]; then
    repo=$(action_repository)
    if [ -z "$repo" ]; then
      [ "$FROM" = ref ] ||
        die "cannot tell which repository's releases hold $VERSION (github.action_repository is empty); set AGENTGATE_RELEASE_URL"
      notice "cannot tell which repository's releases hold $VERSION: building agentgate from the action's own source"
      use_source
      return
    fi
    base="https://github.com/$repo/releases/download"
  fi
  base=${base%/}
  check_release_url "$base"

  local url="$base/$VERSION" asset="agentgate-$VERSION-$TARGET.$EXT" tmp
  tmp=$(mktemp -d "$(tmp_base)/agentgate-install.XXXXXX")
  # shellcheck disable=SC2064 # expand now: tmp is local
  trap "rm -rf '$tmp'" EXIT

  say "downloading $url/$asset"
  if ! fetch "$url/$asset" "$tmp/$asset"; then
    if [ "$FROM" = input ]; then
      die "agentgate $VERSION (the 'version' input) has no release asset at $url/$asset (HTTP 404); check that the version exists and has a build for $TARGET, or leave 'version' empty to use the release matching the action's ref"
    fi
    notice "no release asset for $VERSION (the action's ref) at $url/$asset (HTTP 404): building agentgate from the action's own source"
    use_source
    return
  fi
  if ! fetch "$url/SHA256SUMS" "$tmp/SHA256SUMS"; then
    die "release $VERSION has $asset but no SHA256SUMS ($url/SHA256SUMS: HTTP 404), so it cannot be verified; not installed"
  fi

  local want got
  want=$(expected_hash "$tmp/SHA256SUMS" "$asset")
  got=$(sha256_of "$tmp/$asset" | cut -c1-64)
  if [ "$got" != "$want" ]; then
    die "checksum mismatch for $asset: SHA256SUMS says $want, the download is $got. It was not unpacked, run or installed, and nothing else was installed in its place. Re-run; if it happens again, report it to the action's maintainers"
  fi
  say "verified $asset against SHA256SUMS ($got)"

  mkdir -p "$tmp/stage"
  unpack "$tmp/$asset" "$tmp/stage" ||
    die "$asset (verified) does not hold $EXE; the release is broken, report it to the action's maintainers"
  chmod +x "$tmp/stage/$EXE"

  local says expect="agentgate ${VERSION#v}"
  says=$("$tmp/stage/$EXE" --version 2>&1 | head -n 1 | tr -d '\r') ||
    die "the verified $asset does not run on this machine ($PLATFORM)"
  if [ "$says" != "$expect" ]; then
    die "the release asset for $VERSION reports '$says', expected '$expect'; not installed"
  fi

  local dest=${AGENTGATE_INSTALL_DIR:-$(tmp_base)/agentgate-bin}
  mkdir -p "$dest"
  mv -f "$tmp/stage/$EXE" "$dest/$EXE"
  add_to_path "$dest"
  METHOD=release
  output method release
  output version "$VERSION"
  output path "$dest"
  say "installed $says ($TARGET) in $dest"
  echo "$says"
}

phase_source() {
  local root=${AGENTGATE_SOURCE_ROOT:-$(tmp_base)/agentgate-source} exe
  exe=$(exe_name)
  if [ "${AGENTGATE_CACHE_HIT:-}" = true ] && [ -x "$root/bin/$exe" ]; then
    say "using the cached build of the action's own source in $root"
  else
    say "building agentgate from the action's own source ($ACTION_PATH)"
    if [ -n "${AGENTGATE_SOURCE_BUILD_CMD:-}" ]; then
      AGENTGATE_ACTION_PATH=$ACTION_PATH AGENTGATE_SOURCE_ROOT=$root \
        bash -c "$AGENTGATE_SOURCE_BUILD_CMD" ||
        die "building agentgate from source failed (AGENTGATE_SOURCE_BUILD_CMD, output above)"
    else
      command -v cargo >/dev/null 2>&1 ||
        die "cargo is not installed, so agentgate cannot be built from source; install Rust (rustup) on the runner, or set the 'version' input to a release"
      cargo install --locked --quiet --path "$ACTION_PATH" --root "$root" ||
        die "cargo install --locked --path $ACTION_PATH failed (output above)"
    fi
  fi
  [ -x "$root/bin/$exe" ] ||
    die "the source build left no $root/bin/$exe"
  local says
  says=$("$root/bin/$exe" --version 2>&1 | head -n 1 | tr -d '\r') ||
    die "the agentgate built from source does not run"
  add_to_path "$root/bin"
  output method source
  output path "$root/bin"
  say "installed $says (built from source) in $root/bin"
  echo "$says"
}

cmd=${1:-all}
case $cmd in
  all)
    phase_release
    if [ "$METHOD" = source ]; then
      phase_source
    fi
    ;;
  release) phase_release ;;
  source) phase_source ;;
  resolve)
    resolve
    printf '%s\n' "$VERSION"
    ;;
  source-hash) source_hash ;;
  -h | --help) usage ;;
  *)
    usage >&2
    exit 2
    ;;
esac
