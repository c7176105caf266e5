#!/usr/bin/env bash
# Pair counting on sotu (2.06M tokens, N = 8) into a fresh 3-node Garnet cluster on this machine, with 1 and with 2
# shard workers, against the embedded FASTER build in the same rounds (the machine is shared: compare within a round).
# Per run: wall seconds of counting (+ finalize for the cluster), tokens/s and distinct keys/s of the whole job,
# loopback bytes per training token (/proc/net/dev "lo", both directions: every byte goes out and comes in once,
# so half of it is the traffic), the nodes' resident memory per distinct count once the first cluster build's workers
# are done (its parts, before finalize folds them), and MEMORY USAGE of the folded count hashes per count.
# Usage: eval/garnet-speed.sh [rounds=3]   (ports LMC_GARNET_PORT, default 7501)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"
sotu="${SOTU:-../shared/reference/sotu.tok.gz}"
work="$(mktemp -d)"
export LMC_GARNET_PORT="${LMC_GARNET_PORT:-7501}" LMC_GARNET_HOME="$work/garnet"
trap 'bash eval/garnet-cluster.sh down >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
dotnet build src/LmCompare.Cli -c Release -v q -nologo >/dev/null
lmc=src/LmCompare.Cli/bin/Release/net10.0/linux-x64/lmc
zcat "$sotu" | tail -n 3000 | gzip > "$work/valid.txt.gz"
(zcat "$sotu" || true) | head -n 1000 | gzip > "$work/test.txt.gz"
$lmc corpus ingest --name sotu --tokenizer whitespace --train "$sotu" --valid "$work/valid.txt.gz" --test "$work/test.txt.gz" --home "$work" --quiet >/dev/null
store="garnet://$(bash eval/garnet-cluster.sh up)"
tokens=$(python3 -c "import json; print(json.load(open('$work/corpora/sotu/manifest.json'))['splits']['train']['tokens'])")
lo() { awk '/^ *lo:/ {print $2 + $10}' /proc/net/dev; }
rss() { local sum=0; for f in "$LMC_GARNET_HOME"/node?.pid; do p=$(pgrep -P "$(cat "$f")" | head -1); sum=$((sum + $(awk '/VmRSS/ {print $2}' /proc/"$p"/status))); done; echo $((sum * 1024)); }
now() { date +%s.%N; }
echo "machine: $(nproc) cores, $(date -u +%F), train tokens $tokens"
for round in $(seq 1 "$rounds"); do
  t0=$(now); $lmc pairs build --corpus sotu --name e --force --quiet --home "$work" >/dev/null; t1=$(now)
  keys=$(python3 -c "import json; print(json.load(open('$work/models/e/manifest.json'))['distinctPairs'])")
  echo "round $round embedded: $(python3 -c "print(f'{$t1-$t0:.2f} s, {$tokens/($t1-$t0):,.0f} tokens/s, {$keys/($t1-$t0):,.0f} keys/s')")"
  for workers in 1 2; do
    name="c$round-$workers"; rss0=$(rss); b0=$(lo); t0=$(now)
    for ((i = 0; i < workers; i++)); do $lmc pairs build --corpus sotu --name "$name" --store "$store" --shard "$i/$workers" --quiet --home "$work" >/dev/null & done
    wait; t1=$(now); b1=$(lo); rss1=$(rss)
    $lmc pairs finalize --corpus sotu --name "$name" --store "$store" --quiet --home "$work" >/dev/null; t2=$(now)
    same=$(python3 -c "import json; a=json.load(open('$work/models/e/manifest.json')); b=json.load(open('$work/models/$name/manifest.json')); print('identical' if a['tablesXxHash64']==b['tablesXxHash64'] else 'DIFFERENT')")
    echo "round $round cluster, $workers worker(s): $(python3 -c "print(f'count {$t1-$t0:.2f} s + finalize {$t2-$t1:.2f} s = {$t2-$t0:.2f} s, {$tokens/($t2-$t0):,.0f} tokens/s, {$keys/($t2-$t0):,.0f} keys/s, {($b1-$b0)/2/$tokens:.1f} network bytes/token, tables $same')")"
    if [ "$round" -eq 1 ] && [ "$workers" -eq 1 ]; then
      echo "  nodes' resident memory per distinct count after counting (the parts, before the fold): $(python3 -c "print(f'{($rss1-$rss0)/$keys:.1f} bytes ({$keys:,} counts, {($rss1-$rss0)/1e6:.0f} MB)')")"
      used=0; fields=0
      for s in $(seq 0 255); do
        for p in "$LMC_GARNET_PORT" $((LMC_GARNET_PORT + 1)) $((LMC_GARNET_PORT + 2)); do # the node that owns the slot answers with a number
          u=$(redis-cli -p "$p" memory usage "lmc:{$name:$s}:c" 2>/dev/null); [[ "$u" =~ ^[0-9]+$ ]] || continue
          used=$((used + u)); fields=$((fields + $(redis-cli -p "$p" hlen "lmc:{$name:$s}:c")))
        done
      done
      echo "  MEMORY USAGE of the count hashes: $(python3 -c "print(f'{$used/$fields:.1f} bytes per count ({$fields:,} counts)')")"
    fi
    redis-cli -p "$LMC_GARNET_PORT" flushall >/dev/null 2>&1 || true
    for p in $((LMC_GARNET_PORT + 1)) $((LMC_GARNET_PORT + 2)); do redis-cli -p "$p" flushall >/dev/null 2>&1 || true; done
  done
done
