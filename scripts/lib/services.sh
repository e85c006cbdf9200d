#!/usr/bin/env bash
# Starting and stopping the engine's own processes (silo, gateway) for the scripts. Sourced, not run.
# Needs scripts/lib/common.sh. Every PID started is appended to OM_PIDS so cleanup ends only those.

OM_PIDS=()

# om_prepare NAME: what every script does first: checks for dotnet, installs missing Debian packages (as
# root), makes the work folder OM_STATE (/tmp/orleans-mail-NAME.*), arranges for om_stop_all on exit, builds.
om_prepare() {
  command -v dotnet >/dev/null || om_die "the .NET 10 SDK is required (dotnet not on PATH)"
  om_require_packages
  OM_STATE=$(mktemp -d "/tmp/orleans-mail-$1.XXXXXX")
  chmod 755 "$OM_STATE"
  trap om_stop_all EXIT
  om_log "work folder: $OM_STATE"
  om_build
}

# om_start_backing_services: a private PostgreSQL (OM_PG_DIR, OM_PG_CONN) and a Postfix smtp-sink receiver
# (OM_SINK_PORT, writing to OM_SINK_DIR), both on loopback and free ports, both stopped by om_stop_all.
om_start_backing_services() {
  local pg_port
  OM_PG_DIR="$OM_STATE/postgres"
  pg_port=$(om_free_port)
  om_log "starting PostgreSQL on 127.0.0.1:$pg_port"
  om_pg_start "$OM_PG_DIR" "$pg_port"
  OM_PG_PORT=$pg_port
  OM_PG_CONN="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=orleans_mail;Maximum Pool Size=50"
  OM_SINK_PORT=$(om_free_port)
  OM_SINK_DIR="$OM_STATE/sink"
  om_log "starting smtp-sink on 127.0.0.1:$OM_SINK_PORT (messages written to $OM_SINK_DIR)"
  OM_PIDS+=($(om_sink_start "$OM_SINK_DIR" "$OM_SINK_PORT"))
  om_wait_port "$OM_SINK_PORT" 10 || om_die "smtp-sink did not start"
}

# om_build: builds the solution once (Release) so the scripts run the same binaries every time.
om_build() {
  local root; root=$(om_root)
  om_log "building (dotnet build -c Release)"
  dotnet build "$root/Orleans.Mail.sln" -c Release -nologo -v quiet -clp:ErrorsOnly >"$OM_STATE/build.log" 2>&1 \
    || { tail -n 40 "$OM_STATE/build.log" >&2; om_die "build failed; see $OM_STATE/build.log"; }
}

om_bin() { echo "$(om_root)/$1/bin/Release/net10.0/$2"; }

# om_wait_port PORT SECONDS: waits until 127.0.0.1:PORT accepts connections.
om_wait_port() {
  local port=$1 seconds=$2 i
  for ((i = 0; i < seconds * 10; i++)); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# om_start_silo NAME SILO_PORT GATEWAY_PORT [VAR=VALUE ...]: starts a silo; logs to $OM_STATE/NAME.log.
om_start_silo() {
  local name=$1 silo_port=$2 gateway_port=$3; shift 3
  env ConnectionStrings__Spool="$OM_PG_CONN" Silo__SiloPort="$silo_port" Silo__GatewayPort="$gateway_port" \
    Smtp__LoopbackOnly=true DOTNET_gcServer=1 "$@" \
    dotnet "$(om_bin silo/Orleans.Mail.Silo Orleans.Mail.Silo.dll)" >"$OM_STATE/$name.log" 2>&1 &
  OM_PIDS+=($!)
  om_wait_port "$gateway_port" 120 || { tail -n 30 "$OM_STATE/$name.log" >&2; om_die "silo $name did not start"; }
}

# om_start_gateway NAME GRPC_PORT ADMIN_PORT API_KEY [VAR=VALUE ...]: starts a gateway for tenant "demo".
om_start_gateway() {
  local name=$1 grpc_port=$2 admin_port=$3 key=$4; shift 4
  env ConnectionStrings__Cluster="$OM_PG_CONN" Gateway__GrpcPort="$grpc_port" Gateway__AdminPort="$admin_port" \
    "Gateway__ApiKeys__$key=demo" "$@" \
    dotnet "$(om_bin gateway/Orleans.Mail.Gateway Orleans.Mail.Gateway.dll)" >"$OM_STATE/$name.log" 2>&1 &
  OM_PIDS+=($!)
  om_wait_port "$grpc_port" 120 || { tail -n 30 "$OM_STATE/$name.log" >&2; om_die "gateway $name did not start"; }
}

# om_stop_all: ends every process this script started (by PID), then the private PostgreSQL.
om_stop_all() {
  local pid
  for pid in "${OM_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${OM_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "${OM_PG_DIR:-}" ]; then
    om_pg_stop "$OM_PG_DIR"
    # The private cluster is throw-away; its logs stay in the work folder for a look afterwards.
    rm -rf "$OM_PG_DIR/data"
  fi
}
