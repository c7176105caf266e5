#!/usr/bin/env bash
# lmc corpus ingest speed: wall time, tokens/s and peak RSS under /usr/bin/time -v, RUNS rounds; with BASELINE (the lmc
# binary of another build, e.g. of an earlier commit) the two alternate in every round and the per-round ratio is printed.
# Usage: eval/ingest-speed.sh PATH [runs=3] [tokenizer=whitespace] [BASELINE_LMC]
set -euo pipefail
cd "$(dirname "$0")/.."
path="${1:?usage: eval/ingest-speed.sh PATH [runs=3] [tokenizer=whitespace] [BASELINE_LMC]}" runs="${2:-3}" tokenizer="${3:-whitespace}"
baseline="${4:-}"
dotnet build src/LmCompare.Cli -c Release -v q -nologo >/dev/null
lmc=src/LmCompare.Cli/bin/Release/net10.0/linux-x64/lmc
work="$(mktemp -d "${TMPDIR:-/tmp}/ingest-speed.XXXXXX")"; trap 'rm -rf "$work"' EXIT
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(date -u +%F); $path ($(du -sb "$path" | cut -f1) bytes), $tokenizer"
run() { # label binary
  /usr/bin/time -v "$2" corpus ingest "$path" --name c --tokenizer "$tokenizer" --home "$work" --force --quiet >/dev/null 2>"$work/time.txt" \
    || { echo "$1 failed:"; tail -5 "$work/time.txt"; exit 1; }
  local wall rss tokens
  wall=$(awk -F': ' '/Elapsed \(wall/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' "$work/time.txt")
  rss=$(awk -F': ' '/Maximum resident/ {print $2}' "$work/time.txt")
  tokens=$(python3 -c "import json; m = json.load(open('$work/corpora/c/manifest.json')); print(sum(s['tokens'] for s in m['splits'].values()))")
  echo "$wall $rss $tokens" >> "$work/$1"
  echo "  $1: wall $wall s, $(python3 -c "print(f'{$tokens / $wall / 1e6:.2f}')")M tokens/s, peak RSS $((rss / 1024)) MiB"
}
for r in $(seq 1 "$runs"); do
  echo "round $r"
  [ -n "$baseline" ] && run baseline "$baseline"
  run lmc "$lmc"
done
python3 - "$work/lmc" "$work/baseline" <<'PY'
import os, statistics, sys
a = [tuple(map(float, l.split())) for l in open(sys.argv[1])]
print(f"median: wall {statistics.median(x[0] for x in a):.2f} s, {statistics.median(x[2] / x[0] for x in a) / 1e6:.2f}M tokens/s, "
      f"peak RSS {statistics.median(x[1] for x in a) / 1024:.0f} MiB")
if os.path.exists(sys.argv[2]):
    b = [tuple(map(float, l.split())) for l in open(sys.argv[2])]
    ratios = [x[0] / y[0] for x, y in zip(a, b)]
    print(f"baseline median: wall {statistics.median(y[0] for y in b):.2f} s, peak RSS {statistics.median(y[1] for y in b) / 1024:.0f} MiB; "
          f"lmc/baseline per round {statistics.median(ratios):.3f} (min {min(ratios):.3f}, max {max(ratios):.3f})")
PY
