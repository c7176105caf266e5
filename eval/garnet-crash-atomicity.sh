#!/usr/bin/env bash
# Is a unit of writes replayed whole or not at all when a Garnet node is killed (SIGKILL) while applying it and
# restarted from its append-only file? The count store's choice between a Lua script and MULTI/EXEC rests on this.
# A stand-alone node (--aof, commits as it goes: the default) receives one unit that sets a marker and then adds to
# 300,000 hash fields, either as a Lua script (the store's first design) or as a MULTI/EXEC transaction (its design
# now). A first run without a kill times the unit from sending to its reply (T); then the node is killed at fractions
# of T (the transaction runs at the end, once all its commands are queued; the script from the start) and restarted
# with --recover; each line says what came back: the marker and how many fields. Whole = the marker and 300000
# fields, none = neither; anything else is a partial unit.
# Usage: eval/garnet-crash-atomicity.sh [lua|multi|both=both]   (port LMC_GARNET_PORT + 20, default 7321)
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-both}"
port=$(( ${LMC_GARNET_PORT:-7301} + 20 ))
work="$(mktemp -d)"
pidfile="$work/pid"
stop() {
  [ -f "$pidfile" ] || return 0
  pkill -KILL -P "$(cat "$pidfile")" 2>/dev/null || true; kill -9 "$(cat "$pidfile")" 2>/dev/null || true
  for _ in $(seq 1 50); do redis-cli -p "$port" ping >/dev/null 2>&1 || return 0; sleep 0.1; done
}
trap 'stop; rm -rf "$work"' EXIT
dotnet tool restore >/dev/null

start() {
  (dotnet tool run garnet-server -- --port "$port" --bind 127.0.0.1 --storage-tier --device-type RandomAccess --lua --aof \
    --logdir "$work/data" --checkpointdir "$work/data" "$@" >>"$work/node.log" 2>&1 & echo $! >"$pidfile")
  for _ in $(seq 1 150); do redis-cli -p "$port" ping 2>/dev/null | grep -q PONG && return 0; sleep 0.2; done
  echo "garnet did not start: $work/node.log" >&2; exit 1
}

# The unit as RESP, for redis-cli --pipe.
python3 - "$work" <<'PY'
import sys
def resp(*args):
    return f"*{len(args)}\r\n" + "".join(f"${len(str(a))}\r\n{a}\r\n" for a in args)
n = 300000
with open(f"{sys.argv[1]}/multi.resp", "w") as f:
    f.write(resp("MULTI") + resp("HSET", "{t}b", "marker", 1))
    for i in range(1, n + 1): f.write(resp("HINCRBY", "{t}c", i, 1))
    f.write(resp("EXEC"))
with open(f"{sys.argv[1]}/lua.resp", "w") as f:
    script = f"redis.call('HSET', KEYS[1], 'marker', 1) for i = 1, {n} do redis.call('HINCRBY', KEYS[2], i, 1) end return 1"
    f.write(resp("EVAL", script, 2, "{t}b", "{t}c"))
PY

# One trial: send the unit, kill the node after $2 s, restart it, report.
trial() {
  rm -rf "$work/data"; mkdir -p "$work/data"
  start
  (redis-cli -p "$port" --pipe <"$work/$1.resp" >/dev/null 2>&1 &)
  sleep "$2"
  stop
  start --recover
  local marker fields
  marker=$(redis-cli -p "$port" hget '{t}b' marker); fields=$(redis-cli -p "$port" hlen '{t}c')
  local verdict=partial
  { [ -z "$marker" ] && [ "$fields" -eq 0 ]; } && verdict=none
  { [ "$marker" = 1 ] && [ "$fields" -eq 300000 ]; } && verdict=whole
  echo "$1 killed after $2 s: marker=${marker:-absent} fields=$fields -> $verdict"
  stop
}

# Seconds from sending the unit to its reply, on a fresh node.
calibrate() {
  rm -rf "$work/data"; mkdir -p "$work/data"
  start
  local t0 t1; t0=$(date +%s.%N); redis-cli -p "$port" --pipe <"$work/$1.resp" >/dev/null 2>&1; t1=$(date +%s.%N)
  stop
  python3 -c "print(f'{$t1 - $t0:.3f}')"
}

echo "garnet-server $(grep -o '"version": "[^"]*"' .config/dotnet-tools.json | head -1), $(nproc) cores, $(date -u +%F)"
for unit in lua multi; do
  [ "$mode" = both ] || [ "$mode" = "$unit" ] || continue
  total=$(calibrate "$unit"); echo "$unit: T = $total s"
  if [ "$unit" = lua ]; then fractions="0.2 0.4 0.6 0.8"; else fractions="0.5 0.6 0.7 0.75 0.8 0.85 0.9 0.95 1.0 1.1"; fi
  for f in $fractions; do trial "$unit" "$(python3 -c "print(f'{$total * $f:.3f}')")"; done
done
