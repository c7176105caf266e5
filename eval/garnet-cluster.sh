#!/usr/bin/env bash
# A real 3-node Garnet cluster on 127.0.0.1 for the distributed count stores and their tests.
#   eval/garnet-cluster.sh up     install garnet-server (the repository's tool manifest) and redis-cli (Debian
#                                 redis-tools) if missing, start 3 nodes (--cluster, --storage-tier --device-type RandomAccess,
#                                 own ports and data folders), assign the 16384 slots, meet the nodes, wait
#                                 for cluster_state:ok; prints the endpoints (also in $LMC_GARNET_HOME/endpoints);
#                                 plus a stand-alone node with a password on port +3 ($LMC_GARNET_HOME/secure-endpoint)
#                                 and a cluster-mode node without slots on port +4 ($LMC_GARNET_HOME/bare-endpoint)
#   eval/garnet-cluster.sh down   stop the nodes this script started (by their process ids) and remove their data
#   eval/garnet-cluster.sh stop-node I    kill node I (0..2) as a crash would (SIGKILL): its slots become unreachable
#   eval/garnet-cluster.sh start-node I   restart node I from its data folder: it recovers its counts from the
#                                         append-only file and its cluster configuration, and rejoins with its slots
#   eval/garnet-cluster.sh pause-node I   stop node I's process (SIGSTOP): it holds its connections and answers nothing
#   eval/garnet-cluster.sh resume-node I  let it run again (SIGCONT)
#   I may also be "manual": a sixth, stand-alone node on port +5 ($LMC_GARNET_HOME/manual-endpoint) that commits its
#   append-only file only when told to (COMMITAOF), so a crash loses every write since the last commit, deterministically:
#   the tests use it to check what the count stores make durable before they call work done
# Ports: LMC_GARNET_PORT (default 7301) .. +5 (cluster nodes +0..+2, password +3, slotless +4, manual-commit +5);
# state: LMC_GARNET_HOME (default /tmp/lmc-garnet).
set -euo pipefail
cd "$(dirname "$0")/.."
home="${LMC_GARNET_HOME:-/tmp/lmc-garnet}"
base="${LMC_GARNET_PORT:-7301}"
ports=("$base" "$((base + 1))" "$((base + 2))")

# Node I in the foreground of a background job; its wrapper pid goes to pids (for down) and nodeI.pid (for stop-node).
# --aof: every write goes to the append-only file as it is applied, so a node whose process is killed and restarted
# with --recover has its counts back (the OS holds what was written). LMC_GARNET_AOF replaces these flags: add
# --aof-commit-wait to acknowledge a write only once the file is committed (survives a machine crash too; measured
# 18x slower, eval/RESULTS.md), or set it empty for no persistence at all.
start_node() {
  local i="$1"; shift
  dotnet tool run garnet-server -- --port "${ports[$i]}" --bind 127.0.0.1 --cluster --storage-tier --device-type RandomAccess \
    ${LMC_GARNET_AOF---aof} \
    --logdir "$home/node$i" --checkpointdir "$home/node$i" "$@" \
    >>"$home/node$i.log" 2>&1 &
  echo $! >>"$home/pids"
  echo $! >"$home/node$i.pid"
}

# The manual-commit node: stand-alone, --aof-commit-freq -1 (commits only on COMMITAOF), --recover on restart.
start_manual() {
  dotnet tool run garnet-server -- --port "$((base + 5))" --bind 127.0.0.1 --storage-tier --device-type RandomAccess --aof --aof-commit-freq -1 \
    --logdir "$home/manual" --checkpointdir "$home/manual" "$@" >>"$home/manual.log" 2>&1 &
  echo $! >>"$home/pids"
  echo $! >"$home/manual.pid"
}

# Node I's pid file and port (I = 0..2, or "manual").
pid_file() { if [ "$1" = manual ]; then echo "$home/manual.pid"; else echo "$home/node$1.pid"; fi; }
port_of() { if [ "$1" = manual ]; then echo "$((base + 5))"; else echo "${ports[$1]}"; fi; }

# The server process of node I (the child of its `dotnet tool run` wrapper).
server_pid() { pgrep -P "$(cat "$(pid_file "$1")")" | head -n 1; }

stop_node() {
  local pid; pid="$(cat "$(pid_file "$1")")"
  pkill -KILL -P "$pid" 2>/dev/null || true; kill -9 "$pid" 2>/dev/null || true
  wait_port_closed "$(port_of "$1")"
}

restart_node() {
  if [ "$1" = manual ]; then start_manual --recover; wait_ping "$(port_of manual)"; return; fi
  start_node "$1" --recover; wait_ping "${ports[$1]}"; wait_cluster_ok
}

wait_port_closed() {
  for _ in $(seq 1 100); do redis-cli -p "$1" ping >/dev/null 2>&1 || return 0; sleep 0.1; done
  echo "garnet node on port $1 did not stop" >&2; exit 1
}

wait_ping() {
  for _ in $(seq 1 150); do redis-cli -p "$1" ping 2>/dev/null | grep -q PONG && return 0; sleep 0.2; done
  echo "garnet node on port $1 did not start: see $home" >&2; exit 1
}

wait_cluster_ok() {
  local ok=0 info
  for _ in $(seq 1 150); do
    ok=1
    for port in "${ports[@]}"; do
      info="$(redis-cli -p "$port" cluster info 2>/dev/null || true)"
      grep -q 'cluster_state:ok' <<<"$info" && grep -q 'cluster_slots_assigned:16384' <<<"$info" && grep -q 'cluster_known_nodes:3' <<<"$info" || ok=0
    done
    [ "$ok" -eq 1 ] && return 0
    sleep 0.2
  done
  echo "the garnet cluster did not reach cluster_state:ok: see $home" >&2; exit 1
}

down() {
  if [ -f "$home/pids" ]; then
    # each pid is a `dotnet tool run` wrapper: stop the server it runs too
    while read -r pid; do pkill -TERM -P "$pid" 2>/dev/null || true; kill "$pid" 2>/dev/null || true; done <"$home/pids"
    sleep 1
    while read -r pid; do pkill -KILL -P "$pid" 2>/dev/null || true; kill -9 "$pid" 2>/dev/null || true; done <"$home/pids"
  fi
  rm -rf "$home"
}

up() {
  command -v redis-cli >/dev/null 2>&1 || {
    echo "installing Debian's redis-tools (redis-cli) to configure the cluster" >&2
    sudo_cmd=""; [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo_cmd="sudo"
    { $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends redis-tools; } >&2
  }
  dotnet tool restore >/dev/null
  down
  mkdir -p "$home"
  for i in 0 1 2; do mkdir -p "$home/node$i"; start_node "$i" --clean-cluster-config; done
  # a fourth, stand-alone node that requires a password (for the authentication tests)
  mkdir -p "$home/secure"
  dotnet tool run garnet-server -- --port "$((base + 3))" --bind 127.0.0.1 --auth Password --password "${LMC_GARNET_TEST_PASSWORD:-lmc-test-secret}" \
    >"$home/secure.log" 2>&1 &
  echo $! >>"$home/pids"
  # a fifth: a cluster-mode node that was never given slots (for the "unassigned slots" refusal)
  mkdir -p "$home/bare"
  dotnet tool run garnet-server -- --port "$((base + 4))" --bind 127.0.0.1 --cluster --storage-tier --device-type RandomAccess --logdir "$home/bare" --checkpointdir "$home/bare" \
    --clean-cluster-config >"$home/bare.log" 2>&1 &
  echo $! >>"$home/pids"
  # a sixth: stand-alone, committing its append-only file only on COMMITAOF (see the header)
  mkdir -p "$home/manual"
  start_manual
  for port in "${ports[@]}" "$((base + 4))" "$((base + 5))"; do wait_ping "$port"; done
  for i in 0 1 2; do redis-cli -p "${ports[$i]}" cluster set-config-epoch "$((i + 1))" >/dev/null; done
  redis-cli -p "${ports[0]}" cluster addslotsrange 0 5460 >/dev/null
  redis-cli -p "${ports[1]}" cluster addslotsrange 5461 10922 >/dev/null
  redis-cli -p "${ports[2]}" cluster addslotsrange 10923 16383 >/dev/null
  redis-cli -p "${ports[0]}" cluster meet 127.0.0.1 "${ports[1]}" >/dev/null
  redis-cli -p "${ports[0]}" cluster meet 127.0.0.1 "${ports[2]}" >/dev/null
  wait_cluster_ok
  endpoints="127.0.0.1:${ports[0]},127.0.0.1:${ports[1]},127.0.0.1:${ports[2]}"
  echo "$endpoints" >"$home/endpoints"
  echo "127.0.0.1:$((base + 3))" >"$home/secure-endpoint"
  echo "127.0.0.1:$((base + 4))" >"$home/bare-endpoint"
  echo "127.0.0.1:$((base + 5))" >"$home/manual-endpoint"
  echo "$endpoints"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  stop-node) stop_node "${2:?node 0..2 or manual}" ;;
  start-node) restart_node "${2:?node 0..2 or manual}" ;;
  pause-node) kill -STOP "$(server_pid "${2:?node 0..2 or manual}")" ;;
  resume-node) kill -CONT "$(server_pid "${2:?node 0..2 or manual}")" ;;
  *) echo "usage: $0 up|down|stop-node I|start-node I|pause-node I|resume-node I" >&2; exit 1 ;;
esac
