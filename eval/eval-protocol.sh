#!/usr/bin/env bash
# The whole `lmc eval` protocol (perplexity, top-1/top-5, novelty, bits per byte, sparsity, document scope) of a set of
# models on one corpus: one run that computes the training analyses (--recompute-analysis), then RUNS that read them
# from the corpus folder, as every evaluation after the first does. Per run: wall clock and peak RSS (/usr/bin/time),
# the in-process evaluation and analysis seconds, and per model its open seconds and sentence/document tokens/s;
# then the medians of the cached runs. Also the models' folder sizes, to hold the RSS against.
# Usage: eval/eval-protocol.sh HOME CORPUS MODELS [runs=3] [extra lmc eval options, e.g. --memory 300MB]
#   e.g. eval/eval-protocol.sh /tmp/h dd dd5,ddp 3 --memory 300MB
set -euo pipefail
cd "$(dirname "$0")/.."
home="${1:?usage: eval/eval-protocol.sh HOME CORPUS MODELS [runs] [options]}"; corpus="${2:?corpus}"; models="${3:?models}"
runs="${4:-3}"; shift $(( $# < 4 ? $# : 4 ))
dotnet build src/LmCompare.Cli -c Release -v q -nologo >/dev/null
lmc="$PWD/src/LmCompare.Cli/bin/Release/net10.0/linux-x64/lmc"
out="$(mktemp -d "${TMPDIR:-/tmp}/eval-protocol.XXXXXX")"; trap 'rm -rf "$out"' EXIT
echo "machine: $(nproc) cores, $(date -u +%F); corpus $corpus; models $models; options: ${*:-none}"
for m in ${models//,/ }; do echo "model folder $m: $(du -sb "$home/models/$m" | cut -f1) bytes"; done
run() { # label, extra options
  /usr/bin/time -f "%e %M" -o "$out/time" "$lmc" eval --corpus "$corpus" --models "$models" --json --quiet --home "$home" "${@:2}" \
    >"$out/report.json"
  python3 - "$1" "$out/report.json" "$out/time" <<'PY' | tee -a "$out/rows"
import json, sys
r = json.load(open(sys.argv[2])); wall, rss = open(sys.argv[3]).read().split()
models = " | ".join(f"{m['name']} open {m['openSeconds']:.3f} s, sentence {m['tokensPerSecond']:,.0f} tok/s, "
                    f"document {m['document']['tokensPerSecond']:,.0f} tok/s" for m in r['models'] if m['kind'] != 'mixture')
print(f"{sys.argv[1]}\t{wall}\t{int(rss) / 1024:.0f}\t{r['evaluationSeconds']}\t{r['trainingAnalysisSeconds']}\t"
      f"{r['trainingAnalysisCached']}\t{r['tokens']}\t{models}")
PY
}
echo -e "run\twall s\tpeak RSS MiB\teval s\tanalysis s\tcached\ttokens\tmodels"
run first "$@" --recompute-analysis
for i in $(seq 1 "$runs"); do run "cached-$i" "$@"; done
python3 - "$out/rows" <<'PY'
import statistics as st, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.startswith("cached")]
med = lambda i: st.median(float(r[i]) for r in rows)
tokens = float(rows[0][6])
print(f"cached medians: wall {med(1):.2f} s, peak RSS {med(2):.0f} MiB, evaluation {med(3):.2f} s in-process "
      f"({tokens / med(3):,.0f} test tokens/s for the whole protocol of every model)")
PY
