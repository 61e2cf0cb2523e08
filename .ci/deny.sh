#!/usr/bin/env bash
# cargo-deny over the workspace (configuration: deny.toml): licenses, bans and sources always;
# advisories when the RustSec advisory database can be had. Installs cargo-deny if missing.
#
# The advisory database is a git clone of https://github.com/RustSec/advisory-db that cargo-deny
# keeps under $CARGO_HOME/advisory-dbs/advisory-db-<hash of the URL>/. This script first tries to
# fetch or update it; where GitHub cannot be reached it uses a clone already there (offline;
# cargo-deny refuses one older than deny.toml's `maximum-db-staleness`), and where there is none
# it says loudly that advisories were NOT checked. Set DENY_REQUIRE_ADVISORIES=1 to fail then.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! cargo deny --version >/dev/null 2>&1; then
  echo "deny.sh: installing cargo-deny" >&2
  cargo install cargo-deny --locked
fi
cargo deny --version

echo "=== cargo deny check licenses bans sources"
cargo deny check licenses bans sources

echo "=== cargo deny check advisories"
db_root=${CARGO_HOME:-$HOME/.cargo}/advisory-dbs
# How current a database's data is (cargo-deny's own staleness check goes by when the copy was
# fetched or cloned, not by the date of its newest advisory).
stale=""
db_age() {
  local db newest
  for db in "$db_root"/advisory-db-*/; do
    [ -d "$db/.git" ] || continue
    newest=$(git -C "$db" log -1 --format=%cI 2>/dev/null || echo unknown)
    echo "deny.sh: advisory database $db: newest commit $newest"
    if [ "$newest" != unknown ] &&
      [ $(( $(date +%s) - $(date -d "$newest" +%s) )) -gt $(( 90 * 86400 )) ]; then
      echo "deny.sh: WARNING: that database's newest advisory commit is over 90 days old;"
      echo "deny.sh: WARNING: advisories published since then were NOT checked"
      stale=" (WARNING: against a database whose newest commit is $newest)"
    fi
  done
}
fetch_log=$(mktemp)
trap 'rm -f "$fetch_log"' EXIT
if timeout 300 cargo deny fetch db >"$fetch_log" 2>&1; then
  db_age
  cargo deny check advisories
elif compgen -G "$db_root/advisory-db-*/.git" >/dev/null; then
  echo "deny.sh: could not update the advisory database ($(grep -m1 -o 'fatal:.*' "$fetch_log" || echo 'fetch failed'));"
  echo "deny.sh: checking against the copy in $db_root, offline"
  db_age
  cargo deny --offline check advisories
else
  reason=$(grep -m1 -o 'fatal:.*' "$fetch_log" || tail -n 1 "$fetch_log")
  echo
  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
  echo "!!! ADVISORIES NOT CHECKED: the RustSec advisory database could not be fetched"
  echo "!!! ($reason) and there is no copy in $db_root/."
  echo "!!! Known vulnerabilities in dependencies were NOT looked for. Licenses, bans and sources"
  echo "!!! were checked. Run this script where github.com is reachable to check advisories."
  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
  echo
  if [ "${DENY_REQUIRE_ADVISORIES:-0}" = 1 ]; then
    echo "deny.sh: FAILED: DENY_REQUIRE_ADVISORIES=1 and advisories could not be checked" >&2
    exit 1
  fi
  echo "deny.sh: licenses, bans, sources ok; advisories NOT checked"
  exit 0
fi
echo "deny.sh: licenses, bans, sources and advisories ok$stale"
