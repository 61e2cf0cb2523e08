#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for a bounded time: `.ci/fuzz.sh [SECONDS]` (default 20
# per target). Needs the nightly toolchain; installs cargo-fuzz if it is missing. Fails if any
# target fails; a crashing input is left in fuzz/artifacts/<target>/ (reproduce it with
# `cargo +nightly fuzz run <target> fuzz/artifacts/<target>/<file>`).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-20}
case $seconds in
  '' | *[!0-9]*) echo "usage: $0 [SECONDS per target]" >&2; exit 2 ;;
esac

if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "fuzz.sh: the nightly toolchain is missing; trying 'rustup toolchain install nightly'" >&2
  rustup toolchain install nightly --profile minimal
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz.sh: installing cargo-fuzz" >&2
  cargo install cargo-fuzz --locked
fi

targets=$(cargo +nightly fuzz list)
# Build them all first, so that the time limit below is spent fuzzing.
cargo +nightly fuzz build

logs=fuzz/target/logs
mkdir -p "$logs"
failed=()
for target in $targets; do
  echo "=== fuzz: $target (${seconds}s, log in $logs/$target.log)"
  # -timeout: one input running longer than this is reported as a failure (a hang).
  if cargo +nightly fuzz run "$target" -- \
      -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 -print_final_stats=1 \
      >"$logs/$target.log" 2>&1; then
    grep -E '^(Done|stat::(number_of_executed_units|new_units_added|peak_rss_mb))' \
      "$logs/$target.log" || true
  else
    tail -n 80 "$logs/$target.log"
    echo "=== fuzz: $target FAILED"
    failed+=("$target")
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz.sh: FAILED: ${failed[*]} (inputs in fuzz/artifacts/)" >&2
  exit 1
fi
echo "fuzz.sh: every target ran ${seconds}s without a failure: $(echo $targets)"
