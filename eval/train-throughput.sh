#!/usr/bin/env bash
# Training throughput of `lmc train` (tokens/s, MFU against the fp32 matmul rate measured at start-up, peak RSS):
#   default config (2 x 128, 4 heads, context 64, batch 32) on Brown with --min-count 2 (24,540 ids, 3.5M parameters);
#   the 1M-parameter config (same shape, batch 16) on Moby-Dick cut to 5,000 words (1.05M parameters).
# Usage: eval/train-throughput.sh [steps, default 300]. Nothing else should run on the machine meanwhile.
set -euo pipefail
cd "$(dirname "$0")/.."
steps="${1:-300}"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
dotnet build src/LmCompare.Cli -c Release -v q -nologo >/dev/null
lmc=src/LmCompare.Cli/bin/Release/net10.0/linux-x64/lmc
$lmc corpus ingest --name brown2 --tokenizer whitespace --min-count 2 --train corpora/brown/brown.train.txt.gz \
  --valid corpora/brown/brown.valid.txt.gz --test corpora/brown/brown.test.txt.gz --home "$work" --quiet >/dev/null
$lmc corpus ingest corpora/moby-dick --name moby5k --max-vocab 5000 --home "$work" --quiet >/dev/null
run() { # name corpus batch
  /usr/bin/time -v $lmc train --corpus "$2" --name "$1" --batch "$3" --steps "$steps" --eval-every "$steps" --eval-tokens 4096 \
    --home "$work" --quiet --json > "$work/$1.json" 2> "$work/$1.time"
  python3 - "$work/$1.json" "$work/$1.time" "$1" <<'PY' 2>/dev/null || grep -E 'tokensPerSecond|mfu|peakGflops|parameters' "$work/$1.json"
import json, re, sys
m = json.load(open(sys.argv[1])); t = open(sys.argv[2]).read()
rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)
print(f"{sys.argv[3]}: {m['parameters']:,} parameters, {m['tokensPerSecond']:,.0f} tokens/s, MFU {m['mfu']:.1%} of {m['peakGflops']} GFLOP/s, peak RSS {int(rss)//1024} MB")
PY
}
run default brown2 32
run one-million moby5k 16
