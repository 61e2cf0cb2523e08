#!/usr/bin/env bash
# Builds and tests a user's crate outside the workspace (tests/outside/bookmarks), depending on
# mcp-runtime by path exactly as the README shows: proof that what the README promises works
# from another crate. Uses the workspace's lock file (same versions) and target folder (no
# rebuild of shared dependencies).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$repo/tests/outside/bookmarks" "$work/"
crate="$work/bookmarks"
sed -i "s|@MCP_RUNTIME@|$repo/mcp-runtime|" "$crate/Cargo.toml"
cp "$repo/Cargo.lock" "$crate/Cargo.lock"
CARGO_TARGET_DIR="$repo/target" cargo test --manifest-path "$crate/Cargo.toml"
