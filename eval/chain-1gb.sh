#!/usr/bin/env bash
# The whole count chain on about 1 GB of text: corpus ingest -> pairs build -> ngram build (KN5) -> ngram eval -> lmc
# eval (the full protocol on both models), each
# stage timed under /usr/bin/time -v (wall, peak RSS), then a table and the total. The text is synthetic: lmc corpus
# synth draws TOKENS training tokens (and 1M validation and test tokens) from a bigram model of SOURCE, an ingested
# corpus in HOME, and the three splits are written out as whitespace-separated lines (not timed: that is making the
# input). The chain then starts from those text files, as a user's would, with the same --memory for every stage.
# Usage: eval/chain-1gb.sh HOME SOURCE [memory=2GB] [tokens=215M]
#   e.g. lmc corpus ingest corpora/debian-docs --name debian-docs --home /tmp/h && eval/chain-1gb.sh /tmp/h debian-docs
set -euo pipefail
cd "$(dirname "$0")/.."
home="${1:?usage: eval/chain-1gb.sh HOME SOURCE [memory=2GB] [tokens=215M]}" source="${2:?source corpus name}"
memory="${3:-2GB}" tokens="${4:-215M}"
dotnet build src/LmCompare.Cli -c Release -v q -nologo >/dev/null
lmc=src/LmCompare.Cli/bin/Release/net10.0/linux-x64/lmc
work="$(mktemp -d "${TMPDIR:-/tmp}/chain-1gb.XXXXXX")"; trap 'rm -rf "$work"' EXIT
$lmc corpus synth --like "$source" --tokens "$tokens" --name chain-synth --home "$home" --force --quiet >/dev/null
python3 eval/corpus-to-text.py "$home/corpora/chain-synth" "$work" train valid test
rm -rf "$home/corpora/chain-synth"
bytes=$(cat "$work"/{train,valid,test}.txt | wc -c)
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(date -u +%F); text: $bytes bytes ($tokens synthetic training tokens from $source); --memory $memory"
: > "$work/table"
stage() { # name command...
  local name="$1"; shift
  /usr/bin/time -v "$@" >"$work/out.txt" 2>"$work/time.txt" || { echo "$name failed:"; tail -5 "$work/time.txt"; exit 1; }
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' "$work/time.txt")
  rss=$(awk -F': ' '/Maximum resident/ {print $2}' "$work/time.txt")
  echo "$name $wall $((rss / 1024))" >> "$work/table"
  echo "  $name: wall $wall s, peak RSS $((rss / 1024)) MiB"
}
stage ingest $lmc corpus ingest --name chain --tokenizer whitespace --train "$work/train.txt" --valid "$work/valid.txt" \
  --test "$work/test.txt" --home "$home" --force --quiet
stage pairs $lmc pairs build --corpus chain --name chain-pairs --distances 8 --memory "$memory" --force --quiet --home "$home"
stage kn5 $lmc ngram build --corpus chain --name chain-kn5 --order 5 --memory "$memory" --force --quiet --home "$home"
stage eval-kn5 $lmc ngram eval chain-kn5 --split test --memory "$memory" --home "$home" --json
kn5=$(python3 -c "import json,sys; print(round(json.load(open(sys.argv[1]))['perplexity'], 2))" "$work/out.txt" 2>/dev/null || echo "?")
# the full protocol on both models: sentence and document scope, top-1/top-5, novelty buckets, sparsity
stage eval $lmc eval --corpus chain --models chain-pairs,chain-kn5 --split test --memory "$memory" --home "$home" --json
cp "$work/out.txt" "$home/chain-eval.json" && echo "lmc eval's result: $home/chain-eval.json"
python3 -c "
import json, sys
r = json.load(open(sys.argv[1]))
for m in r.get('models', []):
    print('lmc eval:', m.get('name'), {k: m.get(k) for k in ('perplexity', 'top1', 'top5', 'bitsPerByte') if k in m})
" "$work/out.txt" 2>/dev/null || true
pairs=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['testPerplexity'])" "$home/models/chain-pairs/manifest.json" 2>/dev/null || echo "?")
echo "test perplexity: KN5 $kn5 (sentence scope), pairs $pairs (document scope, scored by pairs build)"
awk '{ printf "| %s | %.1f s | %d MiB |\n", $1, $2, $3; total += $2 } END { printf "| total | %.1f s (%.1f min) | |\n", total, total / 60 }' \
  "$work/table"
