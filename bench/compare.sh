#!/usr/bin/env bash
# Benchmark (not a test): Orleans.Mail side by side with Postfix and with the SMTP limit, on this machine,
# against the same Postfix smtp-sink. For 5 KB messages (N5, default 100,000) and 100 KB messages (N100,
# default 20,000) it measures, each from the first call or injection to the last message at the sink:
#   1. the SMTP limit: smtp-source straight into the sink, 20 sessions;
#   2. Postfix: a private instance (relay to the sink, in_flow_delay = 0, 50 connections), N messages
#      injected over SMTP by smtp-source (20 sessions);
#   3. Orleans.Mail: a campaign of N recipients through the gateway's gRPC API (one silo, one gateway, the
#      durable PostgreSQL spool), pacing opened up as for a smarthost that takes everything.
# Then transactional latency (SendMessage at 200/s while a campaign runs, call → receipt at the sink) and,
# with bench/queued-memory.sh, ingest rate and silo memory with 1,000,000 queued.
# Usage: bench/compare.sh [--quick]     (--quick: N5=10000, N100=2000, 2,000 latency probes, no memory run)
#        env N5, N100, PROBES (default 10000), PROBE_RATE (default 200), MEMORY_COUNT (default 1000000),
#        SKIP_THROUGHPUT=1 (latency, ingest and memory only), SILO_ENV="Key__Name=value ..." (extra silo settings)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../scripts/lib/common.sh"
source "$here/../scripts/lib/services.sh"
quick=false
[ "${1:-}" = "--quick" ] && quick=true
if $quick; then n5=${N5:-10000}; n100=${N100:-2000}; probes=${PROBES:-2000}; else n5=${N5:-100000}; n100=${N100:-20000}; probes=${PROBES:-10000}; fi
probe_rate=${PROBE_RATE:-200}

om_prepare compare
cli="$(om_bin src/Orleans.Mail.Cli orleans-mail.dll)"
ticks=$(getconf CLK_TCK)
results="$OM_STATE/results.tsv"
: >"$results"

# --- measuring helpers ------------------------------------------------------------------------------
busy_ticks() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8}' /proc/stat; }
proc_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
tree_ticks() { local total=0 pid; for pid in "$@"; do total=$((total + $(proc_ticks "$pid"))); done; echo "$total"; }
peak_rss_mb() { awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$1/status" 2>/dev/null || echo "?"; }
files_in() { find "$1" -type f 2>/dev/null | wc -l; }
# files_reach DIR N SECONDS: true once DIR holds N message files, false after SECONDS (bounded).
files_reach() {
  local i
  for ((i = 0; i < $3 * 5; i++)); do [ "$(files_in "$1")" -ge "$2" ] && return 0; sleep 0.2; done
  return 1
}
wait_for_files() { files_reach "$@" || om_die "only $(files_in "$1") of $2 messages reached the sink in $3 s"; }
last_arrival() { find "$1" -type f -printf '%T@\n' | sort -n | tail -n 1; }
now() { date +%s.%N; }
start_sink() { # start_sink DIR: a fresh smtp-sink on a free port; sets SINK_PORT and SINK_PID
  mkdir -p "$1"
  SINK_PORT=$(om_free_port)
  SINK_PID=$(om_sink_start "$1" "$SINK_PORT")
  OM_PIDS+=("$SINK_PID")
  om_wait_port "$SINK_PORT" 10 || om_die "smtp-sink did not start"
}
# stop_pid PID: ends a process this script started and forgets it, so a later cleanup never signals a reused PID.
stop_pid() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  local kept=() pid
  for pid in "${OM_PIDS[@]}"; do [ "$pid" = "$1" ] || kept+=("$pid"); done
  OM_PIDS=("${kept[@]}")
}
record() { # record SYSTEM SIZE N SECONDS BUSY_TICKS PROCESS_DETAIL RSS_DETAIL
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$results"
}
# A text body of about SIZE bytes in 72-character lines (no line near the 998-octet limit).
body_of() { head -c "$1" /dev/zero | tr '\0' 'x' | fold -w 72; }

# --- 1. the SMTP limit ----------------------------------------------------------------------------------
smtp_limit() { # smtp_limit SIZE N
  local dir="$OM_STATE/limit-$1" t0 t1 b0
  start_sink "$dir"
  b0=$(busy_ticks); t0=$(now)
  /usr/sbin/smtp-source -s 20 -m "$2" -l "$1" -f bench@bench.test -t rcpt@sink.test "127.0.0.1:$SINK_PORT"
  wait_for_files "$dir" "$2" 600
  t1=$(last_arrival "$dir")
  record "SMTP limit" "$1" "$2" "$(echo "$t1 - $t0" | bc)" "$(( $(busy_ticks) - b0 ))" "-" "-"
  stop_pid "$SINK_PID"
}

# --- 2. Postfix ---------------------------------------------------------------------------------------------
postfix_run() { # postfix_run SIZE N
  local dir="$OM_STATE/postfix-$1" sink="$OM_STATE/postfix-sink-$1" port t0 t1 b0 fg
  mkdir -p "$dir/queue" "$dir/data"; chmod 755 "$dir"; chown postfix "$dir/data"
  start_sink "$sink"
  port=$(om_free_port)
  cp /etc/postfix/master.cf "$dir/master.cf"
  cat >"$dir/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = bench.orleans-mail.test
mydestination =
mynetworks = 127.0.0.0/8
relayhost = [127.0.0.1]:$SINK_PORT
smtpd_relay_restrictions = permit_mynetworks, reject
in_flow_delay = 0
default_process_limit = 200
default_destination_concurrency_limit = 50
smtp_destination_concurrency_limit = 50
initial_destination_concurrency = 50
message_size_limit = 20480000
alias_maps =
alias_database =
local_recipient_maps =
maillog_file = /dev/stdout
EOF
  postconf -c "$dir" -F '*/*/chroot = n'
  postconf -c "$dir" -MX smtp/inet
  postconf -c "$dir" -M "127.0.0.1:$port/inet=127.0.0.1:$port inet n - n - - smtpd"
  # start-fg: the private instance's master stays our child, and its log goes to a file of ours.
  postfix -c "$dir" start-fg >"$dir/postfix.log" 2>&1 &
  fg=$!
  om_wait_port "$port" 30 || { tail -n 20 "$dir/postfix.log" >&2; om_die "the private Postfix did not start"; }
  b0=$(busy_ticks); t0=$(now)
  /usr/sbin/smtp-source -s 20 -m "$2" -l "$1" -f bench@bench.test -t rcpt@sink.test "127.0.0.1:$port"
  wait_for_files "$sink" "$2" 1800
  t1=$(last_arrival "$sink")
  record "Postfix" "$1" "$2" "$(echo "$t1 - $t0" | bc)" "$(( $(busy_ticks) - b0 ))" "-" "-"
  postfix -c "$dir" stop >/dev/null 2>&1 || true
  stop_pid "$fg"
  stop_pid "$SINK_PID"
}

# --- 3. Orleans.Mail ------------------------------------------------------------------------------------
engine_start() { # engine_start NAME: PostgreSQL, sink, one silo, one gateway; sets SILO_PID GATEWAY_PID GRPC SINK_DIR
  OM_PG_DIR="$OM_STATE/pg-$1"
  local pg_port; pg_port=$(om_free_port)
  om_pg_start "$OM_PG_DIR" "$pg_port"
  OM_PG_CONN="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=orleans_mail;Maximum Pool Size=60"
  PG_PORT=$pg_port
  SINK_DIR="$OM_STATE/engine-sink-$1"
  start_sink "$SINK_DIR"
  om_start_silo "silo-$1" "$(om_free_port)" "$(om_free_port)" Routing__Smarthost="127.0.0.1:$SINK_PORT" \
    Pacing__MessagesPerSecondPerDomain=100000 Pacing__MaxConnectionsPerDomain=16 Logging__LogLevel__Default=Warning ${SILO_ENV:-}
  SILO_PID=${OM_PIDS[-1]}
  GRPC=$(om_free_port)
  om_start_gateway "gateway-$1" "$GRPC" "$(om_free_port)" bench-key Gateway__AdminPassword=bench-password \
    Gateway__MaxBacklogMessages=0 Logging__LogLevel__Default=Warning
  GATEWAY_PID=${OM_PIDS[-1]}
}
engine_stop() { om_stop_all; OM_PIDS=(); OM_PG_DIR=; }
pg_pids() { local main; main=$(head -n 1 "$OM_PG_DIR/data/postmaster.pid" 2>/dev/null || true); [ -n "$main" ] && echo "$main $(ps -o pid= --ppid "$main" | tr '\n' ' ')"; }

engine_run() { # engine_run SIZE N
  local list="$OM_STATE/list-$2.csv" t0 t1 b0 s0 g0 p0 s1 g1 p1
  [ -f "$list" ] || dotnet "$cli" samples --out "$list" --count "$2" --seed 7 >/dev/null
  engine_start "$1"
  body_of "$1" >"$OM_STATE/body-$1.txt"
  b0=$(busy_ticks); s0=$(proc_ticks "$SILO_PID"); g0=$(proc_ticks "$GATEWAY_PID"); p0=$(tree_ticks $(pg_pids)); t0=$(now)
  dotnet "$cli" campaign --gateway "http://127.0.0.1:$GRPC" --api-key bench-key --recipients "$list" --batch-size 5000 \
    --from "Bench <bench@bench.test>" --subject 'Hello {{ first_name }}' --text "$(cat "$OM_STATE/body-$1.txt")" \
    >"$OM_STATE/campaign-$1.out"
  local accepted; accepted=$(sed -n 's/^final: .* total=\([0-9]*\).*/\1/p' "$OM_STATE/campaign-$1.out")
  wait_for_files "$SINK_DIR" "$accepted" 600
  t1=$(last_arrival "$SINK_DIR")
  s1=$(proc_ticks "$SILO_PID"); g1=$(proc_ticks "$GATEWAY_PID"); p1=$(tree_ticks $(pg_pids))
  record "Orleans.Mail" "$1" "$accepted" "$(echo "$t1 - $t0" | bc)" "$(( $(busy_ticks) - b0 ))" \
    "silo $(( s1 - s0 )) gateway $(( g1 - g0 )) postgres $(( p1 - p0 ))" "silo $(peak_rss_mb "$SILO_PID") MB, gateway $(peak_rss_mb "$GATEWAY_PID") MB"
  engine_stop
}

# --- transactional latency under campaign load ------------------------------------------------------------
latency_run() {
  local list="$OM_STATE/list-$n5.csv" calls="$OM_STATE/latency-calls.tsv" arrivals="$OM_STATE/latency-arrivals.tsv"
  [ -f "$list" ] || dotnet "$cli" samples --out "$list" --count "$n5" --seed 7 >/dev/null
  engine_start latency
  dotnet "$cli" campaign --gateway "http://127.0.0.1:$GRPC" --api-key bench-key --recipients "$list" --batch-size 5000 \
    --from "Bench <bench@bench.test>" --subject 'Hello {{ first_name }}' --text "$(body_of 5120)" >"$OM_STATE/campaign-latency.out" &
  local campaign=$!
  sleep 5   # the campaign is streaming and sending
  dotnet "$cli" send-load --gateway "http://127.0.0.1:$GRPC" --api-key bench-key --from "Shop <shop@bench.test>" \
    --domain latency.bench.test --count "$probes" --rate "$probe_rate" --out "$calls" >"$OM_STATE/send-load.out" || true
  local campaign_state="still running"; kill -0 "$campaign" 2>/dev/null || campaign_state="finished before the last probe"
  wait "$campaign" || true
  local accepted; accepted=$(sed -n 's/^final: .* total=\([0-9]*\).*/\1/p' "$OM_STATE/campaign-latency.out")
  files_reach "$SINK_DIR" "$(( ${accepted:-0} + $(wc -l <"$calls") ))" 600 || true
  # Each probe's arrival: the file's modification time (ms) by its envelope recipient.
  grep -rl --include='*' '^X-Rcpt-Args: <tx' "$SINK_DIR" | while read -r f; do
    printf '%s\t%s\n' "$(sed -n 's/^X-Rcpt-Args: <\([^>]*\)>.*/\1/p' "$f" | head -n 1)" "$(stat -c '%.3Y' "$f")"
  done >"$arrivals"
  awk -F'\t' 'NR == FNR { at[$1] = $2 * 1000; next } ($1 in at) { print at[$1] - $2 }' "$arrivals" "$calls" | sort -n >"$OM_STATE/latency-ms.txt"
  local count; count=$(wc -l <"$OM_STATE/latency-ms.txt")
  LATENCY=$(awk -v n="$count" '{ v[NR] = $1 } END { if (n == 0) { print "no probe arrived"; exit }
    printf "p50 %.0f ms, p99 %.0f ms, max %.0f ms (%d of '"$probes"' probes at '"$probe_rate"'/s matched at the sink)", v[int(n * 0.5) + (n * 0.5 > int(n * 0.5))], v[int(n * 0.99) + (n * 0.99 > int(n * 0.99))], v[n], n }' "$OM_STATE/latency-ms.txt")
  LATENCY="$LATENCY; the campaign was $campaign_state"
  engine_stop
}

# --- run ------------------------------------------------------------------------------------------------------
pairs=("5120 $n5" "102400 $n100")
[ "${SKIP_THROUGHPUT:-0}" = 1 ] && pairs=()
for pair in "${pairs[@]}"; do
  set -- $pair
  om_log "size $1 bytes, $2 messages: SMTP limit"; smtp_limit "$1" "$2"
  om_log "size $1 bytes, $2 messages: Postfix"; postfix_run "$1" "$2"
  om_log "size $1 bytes, $2 messages: Orleans.Mail"; engine_run "$1" "$2"
done
om_log "transactional latency: $probes SendMessage at $probe_rate/s during a campaign of $n5"
latency_run

echo
echo "Machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(. /etc/os-release; echo "$PRETTY_NAME"), .NET $(dotnet --version), $(postconf -d mail_version 2>/dev/null | sed 's/ = / /'), PostgreSQL $("$(om_pg_bin postgres)" --version | awk '{print $3}')"
printf '\n| system | size | messages | seconds | messages/s | × Postfix | share of SMTP limit | machine CPU s / 1,000 | engine processes CPU s / 1,000 | peak RSS |\n|---|---:|---:|---:|---:|---:|---:|---:|---|---|\n'
awk -F'\t' -v ticks="$ticks" '
  { rate = $3 / $4; key = $2
    if ($1 == "SMTP limit") limit[key] = rate
    if ($1 == "Postfix") postfix[key] = rate
    row[NR] = $0; r[NR] = rate }
  END { for (i = 1; i <= NR; i++) { split(row[i], f, "\t"); key = f[2]
      detail = f[6]; if (detail != "-") { n = split(detail, d, " "); detail = ""
        for (j = 1; j < n; j += 2) detail = detail sprintf("%s %.2f ", d[j], d[j + 1] / ticks / f[3] * 1000) }
      printf "| %s | %d KB | %d | %.1f | %.0f | %s | %.0f%% | %.2f | %s | %s |\n", f[1], key / 1024, f[3], f[4], r[i],
        (f[1] == "Postfix" || !(key in postfix)) ? "-" : sprintf("%.2f", r[i] / postfix[key]), 100 * r[i] / limit[key],
        f[5] / ticks / f[3] * 1000, detail, f[7] } }' "$results"
echo
echo "transactional latency (call → receipt at the sink) under campaign load: $LATENCY"
if ! $quick; then
  echo
  om_log "ingest and memory with ${MEMORY_COUNT:-1000000} queued (bench/queued-memory.sh)"
  WATCH=${WATCH:-60} "$here/queued-memory.sh" "${MEMORY_COUNT:-1000000}"
fi
