#!/usr/bin/env bash
# Helpers shared by the project's scripts: dependency checks, a private PostgreSQL cluster, smtp-sink.
# Sourced, not run. Every process started here is recorded by PID so that only those are stopped.

om_root() { cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd; }

om_log() {
  if [ -t 2 ]; then printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; else printf '==> %s\n' "$*" >&2; fi
}

om_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Finds a PostgreSQL server binary (initdb, pg_ctl, postgres) on PATH or in Debian's versioned folder.
om_pg_bin() {
  local name=$1 found
  found=$(command -v "$name" 2>/dev/null || true)
  if [ -z "$found" ]; then
    found=$(ls -1d /usr/lib/postgresql/*/bin/"$name" 2>/dev/null | sort -V | tail -n 1 || true)
  fi
  [ -n "$found" ] && printf '%s\n' "$found"
}

# Installs the Debian packages the scripts need when run as root, or says exactly which to install.
om_require_packages() {
  local missing=()
  [ -n "$(om_pg_bin initdb)" ] || missing+=(postgresql)
  command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
  [ -x /usr/sbin/smtp-sink ] || command -v smtp-sink >/dev/null 2>&1 || missing+=(postfix)
  command -v dnsmasq >/dev/null 2>&1 || [ -x /usr/sbin/dnsmasq ] || missing+=(dnsmasq-base)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    om_die "missing Debian packages; install them with: sudo apt-get install -y ${missing[*]}"
  fi
  om_log "installing Debian packages: ${missing[*]}"
  # Postfix must not start a system mail server: only its smtp-sink and smtp-source tools are used.
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The postgresql package creates and starts a system cluster; ours is private, so leave theirs alone.
}

# A free TCP port on 127.0.0.1.
om_free_port() {
  # From 20000-31999, below the kernel's ephemeral range (32768-60999), so no outgoing connection can take
  # the port before its server binds it; ports handed out by this script are remembered and not repeated.
  local port i used="${OM_STATE:-/tmp}/.ports-$$"
  for ((i = 0; i < 500; i++)); do
    port=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))
    grep -qx "$port" "$used" 2>/dev/null && continue
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue
    echo "$port" >>"$used"
    echo "$port"
    return 0
  done
  om_die "no free TCP port on 127.0.0.1 in 20000-31999"
}

# Runs a command as the postgres user when we are root (initdb and pg_ctl refuse root), else as ourselves.
om_as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# om_pg_start DIR PORT: creates (once) and starts a private cluster in DIR on 127.0.0.1:PORT.
# Prints nothing; the connection string is "Host=127.0.0.1;Port=PORT;Username=postgres".
om_pg_start() {
  local dir=$1 port=$2 initdb pg_ctl
  initdb=$(om_pg_bin initdb) || om_die "initdb not found"
  pg_ctl=$(om_pg_bin pg_ctl) || om_die "pg_ctl not found"
  mkdir -p "$dir"
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$dir"; chmod 700 "$dir"; fi
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    om_as_pg "$initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; om_die "initdb failed"; }
  fi
  om_as_pg "$pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c max_connections=300 -c fsync=on -c shared_buffers=256MB" \
    start >/dev/null || { tail -n 20 "$dir/postgres.log" >&2; om_die "PostgreSQL did not start"; }
}

# om_pg_stop DIR: stops the private cluster in DIR (fast shutdown).
om_pg_stop() {
  local dir=$1 pg_ctl
  pg_ctl=$(om_pg_bin pg_ctl) || return 0
  [ -f "$dir/data/postmaster.pid" ] && om_as_pg "$pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
}

# om_sink_start DIR PORT: Postfix smtp-sink on 127.0.0.1:PORT writing every message to a file in DIR.
# Echoes the PID. As root it runs as "nobody", who must be able to write DIR.
om_sink_start() {
  local dir=$1 port=$2 sink user_args=()
  sink=$(command -v smtp-sink || echo /usr/sbin/smtp-sink)
  mkdir -p "$dir"
  if [ "$(id -u)" -eq 0 ]; then chown nobody "$dir"; user_args=(-u nobody); fi
  "$sink" "${user_args[@]}" -h sink.test -d "$dir/%Y%m%d%H/%M." 127.0.0.1:"$port" 1000 >/dev/null 2>&1 &
  echo $!
}
