#!/usr/bin/env bash
# Installs every build and test dependency of cnake-charmer-client on Debian 12.
# Idempotent: safe to re-run; it skips what is already in place.
#   scripts/bootstrap.sh            Debian packages + pinned DuckDB
#   SKIP_APT=1 scripts/bootstrap.sh only the pinned DuckDB
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# DuckDB v1.4.4 (LTS): the official build from the npm registry, checked by sha256.
readonly DUCKDB_LIB_PKG="@duckdb/node-bindings-linux-x64@1.4.4-r.4"
readonly DUCKDB_LIB_SHA256="${DUCKDB_LIB_SHA256_OVERRIDE:-732fac4dc6b8f198870b9c4bb6ddf13544466daca00ad28ba2f1d80de5d7aa4b}"
readonly DUCKDB_HDR_PKG="duckdb@1.4.4"
readonly DUCKDB_HDR_SHA256="${DUCKDB_HDR_SHA256_OVERRIDE:-5bb967dcbcd517670ba5f169f238fb9d6787e53752c60ebe24386169d76941ed}"
readonly DUCKDB_DIR="$root/third_party/duckdb"

packages=(
  build-essential cmake pkg-config git ca-certificates
  libcurl4-openssl-dev nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev
  libtomlplusplus-dev libyaml-cpp-dev libcpp-httplib-dev libssl-dev zlib1g-dev
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev clang-format clang-tidy
  python3 wrk openssl chromium ccache time
  libpq-dev postgresql libmimalloc-dev
  python3-fastapi python3-uvicorn
)

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

install_debian_packages() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  # npm may come from outside Debian (a newer Node.js); use Debian's only when there is none.
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  if [ "${#missing[@]}" -eq 0 ]; then
    echo "bootstrap: Debian packages already installed"
    return
  fi
  echo "bootstrap: installing ${missing[*]}"
  as_root apt-get update -q
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q --no-install-recommends "${missing[@]}"
}

fetch_npm_tarball() {  # fetch_npm_tarball <package@version> <sha256> <dest-dir>
  local spec="$1" want="$2" dest="$3" tarball
  mkdir -p "$dest"
  tarball="$(cd "$dest" && npm pack --silent "$spec" | tail -n 1)"
  local got
  got="$(sha256sum "$dest/$tarball" | cut -d' ' -f1)"
  if [ "$got" != "$want" ]; then
    echo "bootstrap: sha256 mismatch for $spec: got $got, want $want" >&2
    rm -f "$dest/$tarball"
    exit 1
  fi
  echo "$dest/$tarball"
}

install_duckdb() {
  if [ -f "$DUCKDB_DIR/.installed" ] && [ "$(cat "$DUCKDB_DIR/.installed")" = "$DUCKDB_LIB_SHA256 $DUCKDB_HDR_SHA256" ]; then
    echo "bootstrap: DuckDB v1.4.4 already in $DUCKDB_DIR"
    return
  fi
  local work
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' RETURN
  local lib_tgz hdr_tgz
  lib_tgz="$(fetch_npm_tarball "$DUCKDB_LIB_PKG" "$DUCKDB_LIB_SHA256" "$work")"
  hdr_tgz="$(fetch_npm_tarball "$DUCKDB_HDR_PKG" "$DUCKDB_HDR_SHA256" "$work")"
  mkdir -p "$work/lib" "$work/hdr"
  tar -xzf "$lib_tgz" -C "$work/lib"
  tar -xzf "$hdr_tgz" -C "$work/hdr" package/src/duckdb/src/include/duckdb.h
  rm -rf "$DUCKDB_DIR"
  mkdir -p "$DUCKDB_DIR/lib" "$DUCKDB_DIR/include"
  cp "$(find "$work/lib" -name libduckdb.so | head -n 1)" "$DUCKDB_DIR/lib/"
  cp "$work/hdr/package/src/duckdb/src/include/duckdb.h" "$DUCKDB_DIR/include/"
  echo "$DUCKDB_LIB_SHA256 $DUCKDB_HDR_SHA256" > "$DUCKDB_DIR/.installed"
  echo "bootstrap: DuckDB v1.4.4 installed in $DUCKDB_DIR"
}

[ "${SKIP_APT:-0}" = 1 ] || install_debian_packages
install_duckdb
