#!/usr/bin/env bash
# Benchmark (not a test): times sample campaigns through gateway, silo and SMTP into Postfix smtp-sink,
# with the durable PostgreSQL spool, and reports messages/s and peak RSS of silo and gateway.
# Usage: bench/campaign.sh [COUNT ...]   (default: 10000 100000)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../scripts/lib/common.sh"
source "$here/../scripts/lib/services.sh"
root=$(om_root)
counts=("$@"); [ ${#counts[@]} -gt 0 ] || counts=(10000 100000)

om_require_packages
OM_STATE=$(mktemp -d /tmp/orleans-mail-bench.XXXXXX); chmod 755 "$OM_STATE"
trap om_stop_all EXIT
om_build
cli="$(om_bin src/Orleans.Mail.Cli orleans-mail.dll)"

peak_rss_mb() { awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$1/status" 2>/dev/null || echo "?"; }

printf '%-10s %12s %12s %14s %14s\n' recipients seconds "messages/s" "silo RSS MB" "gateway RSS MB"
for n in "${counts[@]}"; do
  OM_PG_DIR="$OM_STATE/pg-$n"; pg_port=$(om_free_port)
  om_pg_start "$OM_PG_DIR" "$pg_port"
  OM_PG_CONN="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=orleans_mail;Maximum Pool Size=60"
  sink_port=$(om_free_port); OM_PIDS+=($(om_sink_start "$OM_STATE/sink-$n" "$sink_port")); om_wait_port "$sink_port" 10
  list="$OM_STATE/list-$n.csv"
  dotnet "$cli" samples --out "$list" --count "$n" --seed 7 >/dev/null
  om_start_silo "silo-$n" "$(om_free_port)" "$(om_free_port)" Routing__Smarthost="127.0.0.1:$sink_port" \
    Pacing__MessagesPerSecondPerDomain=100000 Pacing__MaxConnectionsPerDomain=16 Logging__LogLevel__Default=Warning
  silo_pid=${OM_PIDS[-1]}
  grpc=$(om_free_port)
  om_start_gateway "gateway-$n" "$grpc" "$(om_free_port)" bench-key Gateway__AdminPassword=bench-password Logging__LogLevel__Default=Warning
  gateway_pid=${OM_PIDS[-1]}
  start=$(date +%s.%N)
  dotnet "$cli" campaign --gateway "http://127.0.0.1:$grpc" --api-key bench-key --recipients "$list" \
    --from "Bench <bench@bench.test>" --subject 'Hello {{ first_name }}' --text "$(head -c 3500 /dev/zero | tr '\0' 'x')" >"$OM_STATE/campaign-$n.out"
  end=$(date +%s.%N)
  delivered=$(sed -n 's/^final: .* delivered=\([0-9]*\).*/\1/p' "$OM_STATE/campaign-$n.out")
  secs=$(echo "$end - $start" | bc)
  printf '%-10s %12.1f %12.0f %14s %14s\n' "$delivered" "$secs" "$(echo "$delivered / $secs" | bc -l)" "$(peak_rss_mb "$silo_pid")" "$(peak_rss_mb "$gateway_pid")"
  om_stop_all; OM_PIDS=()
done
