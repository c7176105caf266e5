#!/usr/bin/env bash
# Whole-process timing of `lmc pairs build` on sotu (2.06M tokens, whitespace tokens, N = 8), the job KenLM's
# `lmplz -o 5` takes 5.9 s for on the project's machine. Training = the whole sotu.tok (as lmplz reads it);
# validation for EM = its last 3,000 lines (a copy: the work is what matters here, not held-out quality).
# Usage: eval/pairs-build.sh [--memory 256MB] ; prints /usr/bin/time -v's wall clock and peak RSS per run.
set -euo pipefail
cd "$(dirname "$0")/.."
sotu="${SOTU:-../shared/reference/sotu.tok.gz}"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
dotnet build src/LmCompare.Cli -c Release -v q -nologo >/dev/null
lmc=src/LmCompare.Cli/bin/Release/net10.0/linux-x64/lmc
zcat "$sotu" | tail -n 3000 | gzip > "$work/valid.txt.gz"
(zcat "$sotu" || true) | head -n 1000 | gzip > "$work/test.txt.gz"
$lmc corpus ingest --name sotu --tokenizer whitespace --train "$sotu" --valid "$work/valid.txt.gz" --test "$work/test.txt.gz" --home "$work" --quiet >/dev/null
for run in 1 2 3 4 5; do
  /usr/bin/time -v $lmc pairs build --corpus sotu --name p --force --quiet --home "$work" "$@" 2>"$work/time.txt" >/dev/null
  echo "run $run: wall $(grep 'Elapsed (wall' "$work/time.txt" | awk '{print $NF}'), peak RSS $(grep 'Maximum resident' "$work/time.txt" | awk '{print $NF}') KB"
done
