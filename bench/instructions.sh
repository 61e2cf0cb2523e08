#!/usr/bin/env bash
# Instructions per request under callgrind: this SDK (hello) against the bare axum ceiling, for
# tools/call with the 2025 and the 2026-07-28 envelope. Unlike requests/s, instruction counts
# do not depend on what else the machine is doing, so they show what a code change gained.
# Usage: bench/instructions.sh [SECONDS]   (needs valgrind, wrk, and the anchors bench/run.sh builds)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-8}
cd "$root"
cargo build --release -q -p hello
bare=$root/target/anchors-target/release/bare_axum
[ -x "$bare" ] || { echo "build the anchors first: bench/run.sh --smoke" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# shellcheck source=bench/callgrind.sh
source "$root/bench/callgrind.sh"

measure bare-legacy 8060 "$LEGACY_BODY" "$LEGACY_HEADERS" "$bare" 8060
MCP_BIND=127.0.0.1:8061 measure ours-legacy 8061 "$LEGACY_BODY" "$LEGACY_HEADERS" "$root/target/release/hello"
measure bare-modern 8062 "$MODERN_BODY" "$MODERN_HEADERS" "$bare" 8062
MCP_BIND=127.0.0.1:8063 measure ours-modern 8063 "$MODERN_BODY" "$MODERN_HEADERS" "$root/target/release/hello"
