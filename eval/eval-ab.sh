#!/usr/bin/env bash
# Paired timing of `lmc eval` of one model by two lmc builds (say the commit before a change and after it), runs
# alternating A, B, A, B, ... on a shared machine; prints each run and the medians of the model's tokens/s in the
# sentence scope (with top-1/top-5) and the document scope, the wall clock and the peak RSS.
# Usage: eval/eval-ab.sh HOME CORPUS LMC_A MODEL_A LMC_B MODEL_B [runs] [extra lmc eval options...]
#   e.g. eval/eval-ab.sh /tmp/h sotu /tmp/base/src/LmCompare.Cli/bin/Release/net10.0/linux-x64/lmc sotup \
#          src/LmCompare.Cli/bin/Release/net10.0/linux-x64/lmc sotup3 5
# Build each lmc first (dotnet build src/LmCompare.Cli -c Release); each model must be in the format its build reads.
set -euo pipefail
home="$1"; corpus="$2"; lmc_a="$3"; model_a="$4"; lmc_b="$5"; model_b="$6"; runs="${7:-5}"; shift $(( $# < 7 ? $# : 7 ))
out="$(mktemp -d)"; trap 'rm -rf "$out"' EXIT
for run in $(seq 1 "$runs"); do
  for side in A B; do
    if [ "$side" = A ]; then lmc="$lmc_a"; model="$model_a"; else lmc="$lmc_b"; model="$model_b"; fi
    /usr/bin/time -f "%e %M" "$lmc" eval --corpus "$corpus" --models "$model" --json --quiet --home "$home" "$@" \
      >"$out/eval.json" 2>"$out/time.txt"
    read -r wall rss < <(tail -n 1 "$out/time.txt")
    python3 - "$out/eval.json" "$side" "$run" "$wall" "$rss" >>"$out/runs.tsv" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); m = r["models"][0]
print("\t".join([sys.argv[2], sys.argv[3], str(m["tokensPerSecond"]), str(m["document"]["tokensPerSecond"]), sys.argv[4],
                 sys.argv[5], str(m["perplexity"]), str(m["top1"]), str(m["top5"])]))
PY
    tail -n 1 "$out/runs.tsv" | awk -F'\t' '{printf "%s run %s: sentence %s tok/s, document %s tok/s, wall %s s, peak RSS %s KB, ppl %s top1 %s top5 %s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9}'
  done
done
python3 - "$out/runs.tsv" <<'PY'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
for side in "AB":
    s = [r for r in rows if r[0] == side]
    med = lambda i: statistics.median(float(r[i]) for r in s)
    print(f"median {side}: sentence {med(2):,.0f} tok/s, document {med(3):,.0f} tok/s, wall {med(4):.2f} s, peak RSS {med(5) / 1024:,.0f} MB")
a = {int(r[1]): float(r[2]) for r in rows if r[0] == "A"}; b = {int(r[1]): float(r[2]) for r in rows if r[0] == "B"}
print(f"sentence tok/s B/A per run, median: {statistics.median(b[k] / a[k] for k in a):.2f}x")
PY
