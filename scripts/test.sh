#!/usr/bin/env bash
# Runs every test. Starts what the tests need: a private PostgreSQL cluster on loopback (the tests make
# their own databases in it, and start their own smtp-sink receivers, silos and gateways). Builds first.
# Ends with one line "N passed, N failed, N skipped". Exit code 0 only when nothing failed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib/common.sh"
source "$here/lib/services.sh"
root=$(om_root)

command -v dotnet >/dev/null || om_die "the .NET 10 SDK is required (dotnet not on PATH)"
om_require_packages
OM_STATE=$(mktemp -d /tmp/orleans-mail-test.XXXXXX)
chmod 755 "$OM_STATE"
trap om_stop_all EXIT

om_build

OM_PG_DIR="$OM_STATE/postgres"
pg_port=$(om_free_port)
om_log "starting PostgreSQL on 127.0.0.1:$pg_port"
om_pg_start "$OM_PG_DIR" "$pg_port"
export ORLEANS_MAIL_TEST_PG="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres;Maximum Pool Size=40"
export ORLEANS_MAIL_BUILD_CONFIGURATION=Release
# Plain output: the summary lines are parsed below.
export NO_COLOR=1

passed=0; failed=0; skipped=0; status=0
for project in "$root"/tests/*.Tests; do
  name=$(basename "$project")
  exe="$project/bin/Release/net10.0/$name"
  [ -x "$exe" ] || { om_log "skipping $name: not built"; continue; }
  om_log "running $name"
  log="$OM_STATE/$name.log"
  set +e
  (cd "$project" && timeout 1200 "$exe" --no-ansi --progress off) 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  set -e
  # Microsoft.Testing.Platform prints "total: N", "failed: N", "succeeded: N", "skipped: N". Colour
  # escapes are stripped first: some terminals (and CI runners) get them despite --no-ansi, and a line
  # starting with an escape would not match.
  plain="$OM_STATE/$name.plain"
  sed 's/\x1b\[[0-9;?]*[A-Za-z]//g; s/\x1b[=>]//g; s/\r//g' "$log" > "$plain"
  p=$(sed -n 's/^.*succeeded: *\([0-9][0-9]*\).*/\1/p' "$plain" | tail -n 1)
  f=$(sed -n 's/^ *failed: *\([0-9][0-9]*\).*/\1/p' "$plain" | tail -n 1)
  s=$(sed -n 's/^ *skipped: *\([0-9][0-9]*\).*/\1/p' "$plain" | tail -n 1)
  if [ -z "$p" ] || [ $(( ${p:-0} + ${f:-0} )) -eq 0 ]; then
    om_log "$name reported no passed or failed test (exit $rc): counted as one failure"
    f=$(( ${f:-0} + 1 ))
  fi
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${s:-0}))
  if [ "$rc" -ne 0 ] && [ "${f:-0}" -eq 0 ]; then failed=$((failed + 1)); fi
  [ "$rc" -eq 0 ] || status=1
done

om_stop_all
if [ "$failed" -eq 0 ] && [ "$status" -eq 0 ]; then
  rm -rf "$OM_STATE"
else
  om_log "logs kept in $OM_STATE"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
