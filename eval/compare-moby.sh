#!/usr/bin/env bash
# README command 1 timed as a new user meets it: a fresh clone of this repository (HEAD), then the quick start's
# `lmc compare` on the shipped Moby-Dick with the build included. Prints the wall clock, peak RSS and the summary.
# Usage: eval/compare-moby.sh [minutes=4]
set -euo pipefail
cd "$(dirname "$0")/.."
minutes="${1:-4}"
clone="$(mktemp -d)"; trap 'rm -rf "$clone"' EXIT
git clone -q . "$clone/repo"
cd "$clone/repo"
/usr/bin/time -v dotnet run --project src/LmCompare.Cli -c Release -- compare corpora/moby-dick --name moby --minutes "$minutes" \
  >"$clone/out.txt" 2>"$clone/err.txt" || { tail -5 "$clone/err.txt"; exit 1; }
cat "$clone/out.txt"
echo "wall $(grep 'Elapsed (wall' "$clone/err.txt" | awk '{print $NF}'), peak RSS $(grep 'Maximum resident' "$clone/err.txt" | awk '{print $NF}') KB"
grep '^compare:' "$clone/err.txt"
