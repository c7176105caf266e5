#!/usr/bin/env bash
# Opening and scoring an n-gram model: `lmc ngram eval` against KenLM's `query` on the same model (exported as ARPA,
# turned into KenLM's probing and trie binaries by build_binary) and the same test text (the corpus's test split written
# out as lines). Runs alternate lmc, query, lmc, query, ...; each is timed on the test split and on an empty text, so
# load = the empty run's wall time (process start, open, exit) and scoring = full minus empty, for both tools alike;
# lmc's own in-process figures (loadSeconds, scoreSeconds) are printed beside. Warm page cache (one untimed run first).
# Prints the file sizes, every run, then medians and the ratio lmc/query of scoring tokens/s. Perplexities must agree.
# lmc scores the file the model was built with (lmc ngram build --format probing|trie); pass the same format for KenLM.
# Usage: KENLM_BIN=/path/to/kenlm/build/bin [KENLM_LOAD=lazy] eval/ngram-query-speed.sh HOME MODEL [runs=5] [kenlm-format=probing|trie] [split=test]
# (split: the corpus split scored, test by default; train gives a text long enough to time on a small corpus)
set -euo pipefail
cd "$(dirname "$0")/.."
home="${1:?usage: eval/ngram-query-speed.sh HOME MODEL [runs] [probing|trie]}"; model="${2:?model}"; runs="${3:-5}"; format="${4:-probing}"; split="${5:-test}"
if [ -z "${KENLM_BIN:-}" ] || [ ! -x "$KENLM_BIN/query" ]; then
  echo "ngram-query-speed.sh: skipped: set KENLM_BIN to a folder with query and build_binary (eval/kenlm-build.sh builds one)" >&2
  exit 0
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/ngram-query.XXXXXX")"; trap 'rm -rf "$work"' EXIT
dotnet build src/LmCompare.Cli -c Release -v q -nologo >/dev/null
lmc="$PWD/src/LmCompare.Cli/bin/Release/net10.0/linux-x64/lmc"
folder="$home/models/$model"
corpus=$(python3 -c "import json; print(json.load(open('$folder/manifest.json'))['corpus'])")
python3 eval/corpus-to-text.py "$home/corpora/$corpus" "$work" "$split"; mv "$work/$split.txt" "$work/text.txt"
: >"$work/empty.txt"
"$lmc" ngram export-arpa "$model" "$work/m.arpa" --home "$home" >/dev/null
for f in probing trie; do /usr/bin/time -f "%e %M" -o "$work/bb-$f.time" "$KENLM_BIN/build_binary" -s "$f" "$work/m.arpa" "$work/m.$f" >/dev/null 2>&1; done
rm -f "$work/m.arpa"
size() { stat -c %s "$1"; }
echo "machine: $(nproc) cores, $(date -u +%F); model $model ($corpus), $split split, $(wc -l <"$work/text.txt") lines; query load ${KENLM_LOAD:-populate}"
size_or() { if [ -f "$1" ]; then size "$1"; else echo "-"; fi; }
echo "sizes (bytes): lmc ngrams.probing $(size_or "$folder/ngrams.probing"), lmc ngrams.trie $(size_or "$folder/ngrams.trie"), " \
  "lmc ngrams.bin $(size "$folder/ngrams.bin"), " \
  "KenLM probing $(size "$work/m.probing") (build_binary $(cut -d' ' -f1 "$work/bb-probing.time") s), " \
  "KenLM trie $(size "$work/m.trie") (build_binary $(cut -d' ' -f1 "$work/bb-trie.time") s)"
wall() { /usr/bin/time -f %e -o "$work/t" "$@" >"$work/out" 2>/dev/null; cat "$work/t"; }
# lmc scores the split's ids (--split); the text form would tokenise the written-out tokens again, which the word tokenizer
# may split differently from the ids; the empty run gives --text an empty file
lmc_run() { if [ "$1" = "$work/empty.txt" ]; then wall "$lmc" ngram eval "$model" --text "$1" --json --home "$home"
  else wall "$lmc" ngram eval "$model" --split "$split" --json --home "$home"; fi; }
# KENLM_LOAD (lazy, populate, read; default query's own, populate): lazy maps the file as lmc does, so both tools fault
# pages in while they score; with populate, query pays for them at load, which the wall difference leaves out
query_run() { wall "$KENLM_BIN/query" ${KENLM_LOAD:+-l "$KENLM_LOAD"} -v summary "$work/m.$format" <"$1"; }
lmc_run "$work/text.txt" >/dev/null; query_run "$work/text.txt" >/dev/null # warm the page cache
: >"$work/rows"
for r in $(seq 1 "$runs"); do
  le=$(lmc_run "$work/empty.txt"); lf=$(lmc_run "$work/text.txt")
  read -r tokens ppl load score < <(python3 -c "import json; d=json.load(open('$work/out')); print(d['tokens'], d['perplexity'], d['loadSeconds'], d['scoreSeconds'])")
  qe=$(query_run "$work/empty.txt"); qf=$(query_run "$work/text.txt")
  qppl=$(awk -F'\t' '/Perplexity including OOVs/ {print $2}' "$work/out")
  echo "run $r: lmc empty $le s, full $lf s (in-process load $load s, score $score s, ppl $ppl) | query empty $qe s, full $qf s (ppl $qppl)"
  echo "$le $lf $load $score $qe $qf $tokens" >>"$work/rows"
done
python3 - "$work/rows" <<'EOF'
import statistics as st, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1])]
med = lambda i: st.median(r[i] for r in rows)
tokens = rows[0][6]
lmc_wall = st.median(tokens / max(r[1] - r[0], 1e-9) for r in rows)
lmc_in = st.median(tokens / r[3] for r in rows)
query = st.median(tokens / max(r[5] - r[4], 1e-9) for r in rows)
print(f"medians: load (empty-text wall) lmc {med(0):.3f} s, query {med(4):.3f} s; lmc in-process open {med(2):.4f} s")
print(f"scoring tokens/s: lmc {lmc_wall:,.0f} (wall difference; in-process {lmc_in:,.0f}), query {query:,.0f}; "
      f"ratio lmc/query {lmc_wall / query:.2f} (in-process {lmc_in / query:.2f})")
EOF
