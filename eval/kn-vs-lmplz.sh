#!/usr/bin/env bash
# lmc ngram build against KenLM's lmplz on the same whitespace-tokenised text, the same order and the same memory
# budget (lmplz -S, lmc --memory), runs alternating lmc, lmplz, lmc, lmplz, ... under /usr/bin/time -v; prints every
# run's wall time and peak RSS, then the medians and their ratio. lmplz's default -S 80% would spend most of its time
# having the kernel hand it ~19 GB, so the budget is always given to both.
# TEXT: a whitespace-tokenised file (.txt or .gz, one sentence per line, e.g. ../shared/reference/sotu.tok.gz), or
# a raw corpus (a folder such as corpora/debian-docs) that lmc first ingests with its word tokenizer and writes out as
# whitespace-tokenised training text, or an ingested lmc corpus (a folder with manifest.json, e.g. one lmc corpus synth
# wrote: <home>/corpora/synth200m), whose training split is written out as text. Validation and test for lmc are the text's last 3,000 and first 1,000 lines
# (lmc scores them at build time; lmplz has no such step, which the comparison accepts).
# KIND pairs times lmc pairs build --distances 8 (the pair model's count pipeline) against the same lmplz -o ORDER instead.
# Usage: KENLM_BIN=/path/to/kenlm/build/bin eval/kn-vs-lmplz.sh TEXT [memory=1G] [runs=3] [order=5] [kind=ngram|pairs]
set -euo pipefail
cd "$(dirname "$0")/.."
text="${1:?usage: eval/kn-vs-lmplz.sh TEXT [memory=1G] [runs=3] [order=5] [kind=ngram|pairs]}"
memory="${2:-1G}" runs="${3:-3}" order="${4:-5}" kind="${5:-ngram}"
if [ -z "${KENLM_BIN:-}" ] || [ ! -x "$KENLM_BIN/lmplz" ]; then
  echo "kn-vs-lmplz.sh: skipped: set KENLM_BIN to a folder with lmplz (eval/kenlm-build.sh builds one)" >&2
  exit 0
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/kn-vs-lmplz.XXXXXX")"; trap 'rm -rf "$work"' EXIT
dotnet build src/LmCompare.Cli -c Release -v q -nologo >/dev/null
lmc=src/LmCompare.Cli/bin/Release/net10.0/linux-x64/lmc
if [ -d "$text" ]; then # a raw corpus: lmc's word tokenizer (unless already ingested), then its training split as lines
  if [ -f "$text/manifest.json" ]; then folder="$text"
  else $lmc corpus ingest "$text" --name raw --home "$work" --quiet >/dev/null; folder="$work/corpora/raw"; fi
  python3 eval/corpus-to-text.py "$folder" "$work"
  rm -rf "$work/corpora/raw"
else
  zcat -f "$text" > "$work/train.txt"
fi
tail -n 3000 "$work/train.txt" > "$work/valid.txt"; head -n 1000 "$work/train.txt" > "$work/test.txt"
$lmc corpus ingest --name c --tokenizer whitespace --train "$work/train.txt" --valid "$work/valid.txt" --test "$work/test.txt" \
  --home "$work" --quiet >/dev/null
tokens=$(python3 -c "import json; print(json.load(open('$work/corpora/c/manifest.json'))['splits']['train']['tokens'])")
lmc_memory="${memory/%G/GB}"; lmc_memory="${lmc_memory/%M/MB}"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(date -u +%F); text: $text, $tokens training tokens; lmc $kind, lmplz order $order, budget $memory"
run() { # label command... -> appends "wall_seconds peak_kib" to $work/label
  local label="$1"; shift
  /usr/bin/time -v "$@" >/dev/null 2>"$work/time.txt" || { echo "$label failed:"; tail -5 "$work/time.txt"; exit 1; }
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' "$work/time.txt")
  rss=$(awk -F': ' '/Maximum resident/ {print $2}' "$work/time.txt")
  echo "$wall $rss" >> "$work/$label"
  echo "  $label: wall $wall s, peak RSS $((rss / 1024)) MiB"
}
for r in $(seq 1 "$runs"); do
  echo "round $r"
  if [ "$kind" = pairs ]; then run lmc $lmc pairs build --corpus c --name kn --distances 8 --memory "$lmc_memory" --force --quiet --home "$work"
  else run lmc $lmc ngram build --corpus c --name kn --order "$order" --memory "$lmc_memory" --force --quiet --home "$work"; fi
  rm -rf "$work/models/kn"
  mkdir -p "$work/lmplz-tmp"
  run lmplz "$KENLM_BIN/lmplz" -o "$order" -S "$memory" -T "$work/lmplz-tmp" --text "$work/train.txt" --arpa "$work/lmplz.arpa"
  rm -f "$work/lmplz.arpa"
done
python3 - "$work/lmc" "$work/lmplz" <<'PY'
import statistics, sys
a = [tuple(map(float, l.split())) for l in open(sys.argv[1])]
b = [tuple(map(float, l.split())) for l in open(sys.argv[2])]
ratios = [x[0] / y[0] for x, y in zip(a, b)]
med = lambda v: statistics.median(v)
print(f"median wall: lmc {med([x[0] for x in a]):.2f} s, lmplz {med([y[0] for y in b]):.2f} s, "
      f"lmc/lmplz per round {med(ratios):.3f} (min {min(ratios):.3f}, max {max(ratios):.3f})")
print(f"median peak RSS: lmc {med([x[1] for x in a]) / 1024:.0f} MiB, lmplz {med([y[1] for y in b]) / 1024:.0f} MiB")
PY
