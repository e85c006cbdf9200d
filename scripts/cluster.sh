#!/usr/bin/env bash
# A local development cluster on loopback: a private PostgreSQL, a Postfix smtp-sink as the smarthost,
# N silos (default 3) and M gateways (default 2), each silo sending from its own source address
# (127.0.0.11, .12, …) with a Prometheus endpoint. Prints every endpoint, then runs until Ctrl-C (or
# SIGTERM), when it stops what it started, by PID. Usage: scripts/cluster.sh [--silos N] [--gateways M]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib/common.sh"
source "$here/lib/services.sh"
silos=3
gateways=2
while [ $# -gt 0 ]; do
  case "$1" in
    --silos) silos=$2; shift 2 ;;
    --gateways) gateways=$2; shift 2 ;;
    *) om_die "unknown option $1 (usage: scripts/cluster.sh [--silos N] [--gateways M])" ;;
  esac
done
[[ "$silos" =~ ^[1-9][0-9]?$ && "$gateways" =~ ^[1-9][0-9]?$ ]] || om_die "--silos and --gateways take 1 to 99"

om_prepare cluster
trap 'exit 0' INT TERM
om_start_backing_services
pg_port=$OM_PG_PORT
sink_port=$OM_SINK_PORT

endpoints="$OM_STATE/endpoints.txt"
{
  echo "postgres   Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=orleans_mail"
  echo "smarthost  127.0.0.1:$sink_port (smtp-sink, messages in $OM_STATE/sink)"
} >"$endpoints"
admin_password=$(head -c 12 /dev/urandom | base64 | tr -d '/+=')
for ((i = 1; i <= silos; i++)); do
  silo_port=$(om_free_port); gw_port=$(om_free_port); metrics_port=$(om_free_port)
  # The first silo applies the schema; the others wait for it so they do not race on the migration.
  om_start_silo "silo$i" "$silo_port" "$gw_port" Routing__Smarthost="127.0.0.1:$sink_port" \
    Smtp__SourceAddress="127.0.0.$((10 + i))" Silo__MetricsPort="$metrics_port" Smtp__EhloName=cluster.orleans-mail.test
  echo "silo$i      pid ${OM_PIDS[-1]}  silo port $silo_port, client port $gw_port, metrics http://127.0.0.1:$metrics_port/metrics, sends from 127.0.0.$((10 + i))" >>"$endpoints"
done
for ((i = 1; i <= gateways; i++)); do
  grpc_port=$(om_free_port); admin_port=$(om_free_port)
  om_start_gateway "gateway$i" "$grpc_port" "$admin_port" cluster-key Gateway__AdminUser=admin Gateway__AdminPassword="$admin_password"
  echo "gateway$i   pid ${OM_PIDS[-1]}  gRPC http://127.0.0.1:$grpc_port, admin http://127.0.0.1:$admin_port/dashboard/ and /metrics (admin / $admin_password)" >>"$endpoints"
done

echo
cat "$endpoints"
echo
echo "API key: cluster-key (tenant demo). Try: dotnet $(om_bin src/Orleans.Mail.Cli orleans-mail.dll) samples --out /tmp/r.csv --count 1000"
echo "then: ORLEANS_MAIL_GATEWAY=http://127.0.0.1:<gRPC port> ORLEANS_MAIL_API_KEY=cluster-key dotnet …/orleans-mail.dll campaign --recipients /tmp/r.csv --from 'News <news@example.test>' --subject Hi --text Hello"
echo "logs: $OM_STATE/*.log   endpoints: $endpoints   Ctrl-C stops the cluster."
# Short sleeps: a signal is acted on within a second, and no sleeper outlives the script.
while true; do sleep 1; done
