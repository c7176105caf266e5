#!/usr/bin/env bash
# Generation speed per model: whole-process time from start to the first generated token (model load included) and
# tokens/s, `lmc generate --max-tokens 100 --temperature 1 --top-k 40 --json`, three runs each (medians in RESULTS.md).
# Usage: eval/generate-speed.sh HOME MODEL... (e.g. eval/generate-speed.sh /tmp/brownws brown2-pairs brown2-kn5 brown2-gpt)
set -euo pipefail
cd "$(dirname "$0")/.."
home="$1"; shift
dotnet build src/LmCompare.Cli -c Release -v q -nologo >/dev/null
lmc=src/LmCompare.Cli/bin/Release/net10.0/linux-x64/lmc
for model in "$@"; do
  for seed in 1 2 3; do
    start=$(date +%s.%N)
    json="$($lmc generate --model "$model" --prompt "The jury said that" --repetition-penalty 1.0 --max-tokens 100 --temperature 1 --top-k 40 --seed "$seed" --json --home "$home" --quiet)"
    end=$(date +%s.%N)
    python3 -c "
import json,sys
r=json.loads(sys.argv[1]); s=r['samples'][0]
print(f\"{r['model']} seed $seed: load {r['loadSeconds']:.2f} s, load to first token {r['loadSeconds']+s['firstTokenSeconds']:.2f} s, {len(s['tokens'])} tokens at {s['tokensPerSecond']:.0f} tokens/s ({(len(s['tokens'])-1)/max(s['seconds']-s['firstTokenSeconds'],1e-9):.0f} after the first), process {float(sys.argv[2]):.2f} s\")" "$json" "$(echo "$end - $start" | bc)"
  done
done
