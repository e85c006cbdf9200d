#!/usr/bin/env bash
# Failover drill (a long run, not part of the test suite): a local cluster of 3 silos and 2 gateways sends
# a campaign of N recipients (default 100,000) to a Postfix smtp-sink; when a third of it has arrived, one
# silo is killed with SIGKILL. Prints, from the receiver's own files: total, delivered, lost, duplicated.
# Usage: scripts/failover.sh [--recipients N]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib/common.sh"
source "$here/lib/services.sh"
count=100000
while [ $# -gt 0 ]; do
  case "$1" in
    --recipients) count=$2; shift 2 ;;
    *) om_die "unknown option $1 (usage: scripts/failover.sh [--recipients N])" ;;
  esac
done
[[ "$count" =~ ^[1-9][0-9]{2,6}$ ]] || om_die "--recipients takes 100 to 9,999,999"

om_prepare failover
om_start_backing_services
sink_port=$OM_SINK_PORT
sink_dir=$OM_SINK_DIR

silo_pids=()
for i in 1 2 3; do
  om_start_silo "silo$i" "$(om_free_port)" "$(om_free_port)" Routing__Smarthost="127.0.0.1:$sink_port" \
    Smtp__SourceAddress="127.0.0.$((10 + i))" Pacing__LeaseSeconds=30
  silo_pids+=("${OM_PIDS[-1]}")
done
grpc_ports=()
for i in 1 2; do
  port=$(om_free_port)
  om_start_gateway "gateway$i" "$port" "$(om_free_port)" drill-key Gateway__AdminPassword="$(head -c 12 /dev/urandom | base64)"
  grpc_ports+=("$port")
done

cli=$(om_bin src/Orleans.Mail.Cli orleans-mail.dll)
list="$OM_STATE/recipients.csv"
dotnet "$cli" samples --out "$list" --count "$count" --seed 7 >/dev/null
received() { (grep -rh '^X-Rcpt-Args:' "$sink_dir" 2>/dev/null || true) | wc -l; }

om_log "campaign of $count recipients through gateway 1 (127.0.0.1:${grpc_ports[0]})"
started=$(date +%s)
dotnet "$cli" campaign --gateway "http://127.0.0.1:${grpc_ports[0]}" --api-key drill-key --recipients "$list" \
  --name failover-drill --from "Drill <drill@cluster.orleans-mail.test>" --subject "Drill {{ first_name }}" \
  --text "Hello {{ first_name }}" >"$OM_STATE/campaign.out" 2>&1 &
campaign_pid=$!

# Kill silo 2 once a third has arrived (bounded wait: 30 minutes).
for ((i = 0; i < 18000; i++)); do
  [ "$(received)" -ge $((count / 3)) ] && break
  kill -0 "$campaign_pid" 2>/dev/null || break
  sleep 0.1
done
at_kill=$(received)
in_flight=$("$(om_pg_bin psql)" -h 127.0.0.1 -p "$OM_PG_PORT" -U postgres -d orleans_mail -At -c "SELECT count(*) FROM spool WHERE state = 3")
kill -9 "${silo_pids[1]}"
om_log "killed silo 2 (pid ${silo_pids[1]}) with SIGKILL after $at_kill recipients had arrived; $in_flight messages were in flight (leased)"

wait "$campaign_pid" || { tail -n 20 "$OM_STATE/campaign.out" >&2; om_die "the campaign did not finish"; }
finished=$(date +%s)
final=$(grep '^final:' "$OM_STATE/campaign.out" | tail -n 1)
delivered=$(sed -n 's/^final: .* delivered=\([0-9]*\).*/\1/p' <<<"$final")
total=$(sed -n 's/^final: .* total=\([0-9]*\).*/\1/p' <<<"$final")
grep -rh '^X-Rcpt-Args:' "$sink_dir" | awk '{print $2}' | sort >"$OM_STATE/received.txt"
got=$(wc -l <"$OM_STATE/received.txt")
distinct=$(uniq "$OM_STATE/received.txt" | wc -l)
duplicated=$((got - distinct))
lost=$((total - distinct))
echo
echo "$final"
printf 'failover drill: total %s, delivered %s, received %s (distinct %s), lost %s, duplicated %s (in flight at the kill: %s), in %s s\n' \
  "$total" "$delivered" "$got" "$distinct" "$lost" "$duplicated" "$in_flight" "$((finished - started))"
[ "$lost" -eq 0 ] || { echo "LOST MESSAGES" >&2; exit 1; }
