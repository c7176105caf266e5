#!/usr/bin/env bash
# Issue 14 item 7: the Garnet path at scale. One ingested corpus (e.g. the 100M-token synthetic one), pair counts at
# N distances built twice: embedded (FASTER, the reference) and into a fresh 3-node loopback cluster by W shard
# workers, each worker timed with /usr/bin/time -v, then `pairs finalize`. Reports per phase wall time and peak RSS,
# the nodes' resident memory (sampled every second, sum of the 3 servers) per distinct count at its peak and after
# the workers, loopback bytes per training token (/proc/net/dev "lo" counts each byte going out and coming in, so half
# of it is the traffic), the nodes' append-only files in bytes per count, and whether the cluster's tables are the
# embedded build's (same XxHash64 in the manifests).
# Usage: eval/garnet-scale.sh HOME CORPUS [distances=2] [workers=2] [memory=2GB]
#   HOME: an lmc --home holding CORPUS (lmc corpus ingest / lmc corpus synth). Ports LMC_GARNET_PORT (default 7601).
set -euo pipefail
cd "$(dirname "$0")/.."
home="${1:?usage: eval/garnet-scale.sh HOME CORPUS [distances] [workers] [memory]}"
corpus="${2:?corpus name}"
distances="${3:-2}"; workers="${4:-2}"; memory="${5:-2GB}"
work="$(mktemp -d)"
export LMC_GARNET_PORT="${LMC_GARNET_PORT:-7601}" LMC_GARNET_HOME="$work/garnet"
trap 'kill "${sampler:-0}" 2>/dev/null || true; bash eval/garnet-cluster.sh down >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
dotnet build src/LmCompare.Cli -c Release -v q -nologo >/dev/null
lmc="$PWD/src/LmCompare.Cli/bin/Release/net10.0/linux-x64/lmc"
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }
tokens=$(json "$home/corpora/$corpus/manifest.json" "d['splits']['train']['tokens']")
lo() { awk '/^ *lo:/ {print $2 + $10}' /proc/net/dev; }
# resident bytes of the three cluster servers (the children of their `dotnet tool run` wrappers)
rss() {
  local sum=0 p f
  for f in "$LMC_GARNET_HOME"/node?.pid; do
    p=$(pgrep -P "$(cat "$f")" | head -n 1 || true)
    [ -n "$p" ] && sum=$((sum + $(awk '/VmRSS/ {print $2}' "/proc/$p/status")))
  done
  echo $((sum * 1024))
}
now() { date +%s.%N; }
peak_kb() { awk -F': *' '/Maximum resident set size/ {print $2}' "$1"; }
run() { # name log -- command...: runs it with /usr/bin/time -v; on failure shows its stderr and stops
  local name="$1" log="$2"; shift 2
  if ! /usr/bin/time -v -o "$log.time" "$@" >"$log.out" 2>"$log.err"; then
    echo "$name failed (exit code in $log.time):" >&2; cat "$log.err" >&2; tail -n 5 "$log.time" >&2; exit 1
  fi
}
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(date -u +%F), corpus $corpus ($tokens training tokens)"
echo "settings: --distances $distances, --memory $memory, $workers worker(s)"

t0=$(now); run "embedded pairs build" "$work/emb" "$lmc" pairs build --corpus "$corpus" --name gs-emb --force --quiet \
  --distances "$distances" --memory "$memory" --home "$home"; t1=$(now)
keys=$(json "$home/models/gs-emb/manifest.json" "d['distinctPairs']")
echo "embedded: $(python3 -c "print(f'{$t1-$t0:.1f} s, peak RSS {$(peak_kb "$work/emb.time")/1024:,.0f} MiB, {$keys:,} distinct pairs')")"

store="garnet://$(bash eval/garnet-cluster.sh up)"
rss0=$(rss)
( peak=0; while :; do r=$(rss); [ "$r" -gt "$peak" ] && peak=$r && echo "$peak" >"$work/rss-peak"; sleep 1; done ) &
sampler=$!
b0=$(lo); t0=$(now)
pids=()
for ((i = 0; i < workers; i++)); do
  run "worker $i/$workers" "$work/w$i" "$lmc" pairs build --corpus "$corpus" --name gs-cl --store "$store" --shard "$i/$workers" \
    --distances "$distances" --memory "$memory" --quiet --home "$home" &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || { echo "a worker failed" >&2; exit 1; }; done
t1=$(now); b1=$(lo); rss1=$(rss)
run "pairs finalize" "$work/fin" "$lmc" pairs finalize --corpus "$corpus" --name gs-cl --store "$store" --distances "$distances" --force --quiet --home "$home"
t2=$(now)
kill "$sampler" 2>/dev/null || true; sampler=0
peak=$(cat "$work/rss-peak" 2>/dev/null || echo "$rss1")
aof=$(du -sb "$LMC_GARNET_HOME"/node? | awk '{s += $1} END {print s}')
same=$(python3 -c "import json; a=json.load(open('$home/models/gs-emb/manifest.json')); b=json.load(open('$home/models/gs-cl/manifest.json')); print('identical' if a['tablesXxHash64']==b['tablesXxHash64'] else 'DIFFERENT')")
for ((i = 0; i < workers; i++)); do
  echo "worker $i: peak RSS $(python3 -c "print(f'{$(peak_kb "$work/w$i.time")/1024:,.0f} MiB')")"
done
python3 - <<EOF
t, keys = $tokens, $keys
print(f"cluster: count {$t1-$t0:.1f} s + finalize {$t2-$t1:.1f} s = {$t2-$t0:.1f} s; finalize peak RSS {$(peak_kb "$work/fin.time")/1024:,.0f} MiB")
print(f"network: {($b1-$b0)/2/t:.1f} bytes per training token ({($b1-$b0)/2/1e9:.2f} GB)")
print(f"nodes' resident memory: peak {($peak-$rss0)/keys:.0f} bytes per count ({($peak-$rss0)/2**30:.2f} GiB), "
      f"after the workers {($rss1-$rss0)/keys:.0f} bytes per count")
print(f"append-only files and checkpoints on the nodes: {$aof/keys:.0f} bytes per count ({$aof/2**30:.2f} GiB)")
print("tables: $same")
EOF
