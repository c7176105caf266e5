#!/usr/bin/env bash
# Whole-process timing of `lmc eval` of three models and one mixture on a test split, next to the machine's fp32
# matmul rate measured in the same run (the machines are shared: compare runs by that ratio, not by seconds alone).
# Usage: eval/eval-speed.sh HOME CORPUS PAIRS NGRAM GPT [runs]
#   e.g. eval/eval-speed.sh /tmp/brown brown2 brown2-pairs brown2-kn5 brown2-gpt 3
# Prints, per run, the matmul GFLOP/s before it, the wall clock and peak RSS, and each model's tokens/s.
set -euo pipefail
cd "$(dirname "$0")/.."
home="$1"; corpus="$2"; pairs="$3"; ngram="$4"; gpt="$5"; runs="${6:-3}"
dotnet build src/LmCompare.Cli -c Release -v q -nologo >/dev/null
lmc=src/LmCompare.Cli/bin/Release/net10.0/linux-x64/lmc
out="$(mktemp -d)"; trap 'rm -rf "$out"' EXIT
for run in $(seq 1 "$runs"); do
  matmul="$($lmc bench matmul --size 1024 --json | tr -d ' \n' | sed -n 's/.*"gflops":\([0-9.]*\).*/\1/p')"
  /usr/bin/time -v $lmc eval --corpus "$corpus" --models "$pairs,$ngram,$gpt" --mix "$gpt+$ngram" --json --home "$home" \
    >"$out/eval.json" 2>"$out/time.txt"
  speeds="$(python3 -c "import json,sys; r=json.load(open('$out/eval.json')); print(', '.join(f\"{m['name']} {m['tokensPerSecond']:.0f} tok/s\" for m in r['models']), '| eval', r['evaluationSeconds'], 's in-process')")"
  echo "run $run: matmul ${matmul} GFLOP/s | wall $(grep 'Elapsed (wall' "$out/time.txt" | awk '{print $NF}'), peak RSS $(grep 'Maximum resident' "$out/time.txt" | awk '{print $NF}') KB | $speeds"
done
