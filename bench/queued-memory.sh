#!/usr/bin/env bash
# Benchmark (not a test): silo memory while a big campaign waits in the spool because its receiver is down.
# For each COUNT (default: 100000 1000000): a private PostgreSQL, 3 silos and a gateway; the smarthost is a
# closed port, so nothing can be delivered. Streams COUNT recipients through the gateway (prints the ingest
# rate: recipients durably accepted per second of the AddRecipients stream), starts the campaign (prints how
# long StartCampaign took to queue them), then samples for WATCH seconds (default 120) and prints each silo's
# peak RSS and the spool's states. Memory that does not grow with COUNT is the point.
# Usage: bench/queued-memory.sh [COUNT ...]     env: WATCH=seconds
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../scripts/lib/common.sh"
source "$here/../scripts/lib/services.sh"
counts=("$@"); [ ${#counts[@]} -gt 0 ] || counts=(100000 1000000)
watch=${WATCH:-120}

om_prepare queued-memory
cli="$(om_bin src/Orleans.Mail.Cli orleans-mail.dll)"
peak_rss_mb() { awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$1/status" 2>/dev/null || echo "?"; }
psql_spool() { "$(om_pg_bin psql)" -h 127.0.0.1 -p "$1" -U postgres -d orleans_mail -At -c "$2"; }

stamped() { while IFS= read -r line; do echo "$(date +%s.%N) $line"; done; }
printf '%-10s %14s %8s %10s %10s %10s %12s  %s\n' recipients "ingest rcpt/s" "start s" "silo1 MB" "silo2 MB" "silo3 MB" "gateway MB" "spool states after the watch"
for n in "${counts[@]}"; do
  OM_PG_DIR="$OM_STATE/pg-$n"; pg_port=$(om_free_port)
  om_pg_start "$OM_PG_DIR" "$pg_port"
  OM_PG_CONN="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=orleans_mail;Maximum Pool Size=50"
  dead_port=$(om_free_port)   # nothing listens here: the receiver is down
  list="$OM_STATE/list-$n.csv"
  dotnet "$cli" samples --out "$list" --count "$n" --seed 11 >/dev/null
  silos=()
  for i in 1 2 3; do
    om_start_silo "silo$i-$n" "$(om_free_port)" "$(om_free_port)" Routing__Smarthost="127.0.0.1:$dead_port" Logging__LogLevel__Default=Warning
    silos+=("${OM_PIDS[-1]}")
  done
  grpc=$(om_free_port)
  om_start_gateway "gateway-$n" "$grpc" "$(om_free_port)" bench-key Gateway__AdminPassword=bench-password \
    Gateway__MaxBacklogMessages=0 Logging__LogLevel__Default=Warning
  gateway_pid=${OM_PIDS[-1]}
  dotnet "$cli" campaign --gateway "http://127.0.0.1:$grpc" --api-key bench-key --recipients "$list" --batch-size 5000 \
    --from "Bench <bench@bench.test>" --subject 'Hello {{ first_name }}' --text "$(head -c 5000 /dev/zero | tr '\0' 'x')" \
    --no-watch | stamped >"$OM_STATE/campaign-$n.out"
  # From the answer to CreateCampaign to the AddRecipients answer (every batch committed), then to Start's answer.
  created=$(awk '/ created$/ {print $1}' "$OM_STATE/campaign-$n.out")
  added=$(awk '/ recipients: accepted=/ {print $1}' "$OM_STATE/campaign-$n.out")
  started=$(awk '/ started$/ {print $1}' "$OM_STATE/campaign-$n.out")
  accepted=$(psql_spool "$pg_port" "SELECT count(*) FROM spool")
  sleep "$watch"
  states=$(psql_spool "$pg_port" "SELECT string_agg(state || ':' || c, ' ' ORDER BY state) FROM (SELECT state, count(*) c FROM spool GROUP BY state) s")
  printf '%-10s %14.0f %8.1f %10s %10s %10s %12s  %s\n' "$accepted" "$(echo "$accepted / ($added - $created)" | bc -l)" "$(echo "$started - $added" | bc -l)" \
    "$(peak_rss_mb "${silos[0]}")" "$(peak_rss_mb "${silos[1]}")" "$(peak_rss_mb "${silos[2]}")" "$(peak_rss_mb "$gateway_pid")" "$states"
  om_stop_all; OM_PIDS=()
done
echo "(states: 2 queued, 3 in flight, 4 deferred; ingest = accepted recipients / time of the AddRecipients stream; start s = StartCampaign queueing them)"
