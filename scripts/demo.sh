#!/usr/bin/env bash
# The main job: a real campaign of the 10,000-recipient sample list through gateway, silo and SMTP.
# Sets up everything it needs (Debian packages when root, a private PostgreSQL on loopback, a Postfix
# smtp-sink receiver), shows progress, then compares our final counts with what the receiver wrote.
# Stops everything it started. Usage: scripts/demo.sh [recipients.csv]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib/common.sh"
source "$here/lib/services.sh"
root=$(om_root)
list=${1:-$root/samples/recipients-10k.csv}

om_prepare demo
om_start_backing_services
sink_port=$OM_SINK_PORT
sink_dir=$OM_SINK_DIR

if [ ! -f "$list" ]; then
  om_log "generating $list"
  dotnet "$(om_bin src/Orleans.Mail.Cli orleans-mail.dll)" samples --out "$list" --count 10000 --seed 42
fi

om_log "starting silo and gateway"
om_start_silo silo "$(om_free_port)" "$(om_free_port)" Routing__Smarthost="127.0.0.1:$sink_port" Smtp__EhloName=demo.orleans-mail.test
grpc_port=$(om_free_port); admin_port=$(om_free_port)
om_start_gateway gateway "$grpc_port" "$admin_port" demo-key Gateway__AdminPassword="$(head -c 12 /dev/urandom | base64)"
om_log "gateway gRPC on 127.0.0.1:$grpc_port, dashboard on http://127.0.0.1:$admin_port/dashboard/"

om_log "running the campaign from $list"
dotnet "$(om_bin src/Orleans.Mail.Cli orleans-mail.dll)" campaign --gateway "http://127.0.0.1:$grpc_port" --api-key demo-key \
  --recipients "$list" --name "demo" --from "Orleans Mail Demo <news@demo.orleans-mail.test>" \
  --subject 'Hello {{ first_name }}, your October news' \
  --text $'Dear {{ first_name }} {{ last_name }},\n\nthis message was sent to {{ email }} by the Orleans.Mail demo.\n' \
  --html '<p>Dear {{ first_name }} {{ last_name }},</p><p>this message was sent to {{ email }} by the Orleans.Mail demo.</p>' \
  | tee "$OM_STATE/campaign.out"

delivered=$(sed -n 's/^final: .* delivered=\([0-9]*\).*/\1/p' "$OM_STATE/campaign.out")
received=$( (grep -rh '^X-Rcpt-Args:' "$sink_dir" 2>/dev/null || true) | wc -l)
echo
echo "engine delivered: ${delivered:-?}   receiver (smtp-sink) got: $received recipients"
echo "logs and the receiver's message files are in $OM_STATE (remove it with: rm -rf $OM_STATE)"
if [ "${delivered:-x}" = "$received" ]; then
  echo "OK: the counts agree."
else
  echo "MISMATCH: the counts differ." >&2
  exit 1
fi
