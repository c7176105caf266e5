#!/usr/bin/env bash
# Runs the whole test suite (every test project in LmCompare.sln) and ends with the line
# "N passed, N failed", counted from the TRX result files rather than from dotnet test's own summary.
# Extra arguments go to dotnet test. --fast (first argument) runs only the tests without Category=Slow: no Garnet
# cluster, no browser, no lmc processes that train or count for seconds (under two minutes with the build).
set -uo pipefail
cd "$(dirname "$0")/.."
fast=0
if [ "${1:-}" = "--fast" ]; then
  fast=1
  shift
  set -- --filter "Category!=Slow" "$@"
fi
results="$(mktemp -d "${TMPDIR:-/tmp}/lmc-test-results.XXXXXX")"
garnet_started=0
cleanup() {
  rm -rf "$results"
  # stop the Garnet nodes this run started (by their process ids), also when tests failed
  [ "$garnet_started" -eq 1 ] && bash eval/garnet-cluster.sh down >/dev/null 2>&1 || true
}
trap cleanup EXIT

# The distributed count-store tests run against a real 3-node Garnet cluster (and a password-protected node):
# start one unless LMC_GARNET names a running cluster.
if [ "$fast" -eq 0 ] && [ -z "${LMC_GARNET:-}" ]; then
  export LMC_GARNET_HOME="${LMC_GARNET_HOME:-$(mktemp -d "${TMPDIR:-/tmp}/lmc-garnet.XXXXXX")}"
  if LMC_GARNET="$(bash eval/garnet-cluster.sh up)"; then
    export LMC_GARNET
    garnet_started=1
  else
    echo "could not start the Garnet cluster: the distributed tests will fail (see $LMC_GARNET_HOME)" >&2
  fi
fi

# The report's browser check renders report.html in Debian's Chromium; install it when it is missing.
if [ "$fast" -eq 0 ] && [ -z "${LMC_CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1; then
  echo "installing Debian's chromium for the report's browser check" >&2
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo_cmd="sudo"
  { $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends chromium; } >&2 \
    || echo "could not install chromium: the browser check will fail" >&2
fi

status=0
dotnet build LmCompare.sln -c Release || status=$?
if [ "$status" -eq 0 ]; then
  # One run per test project, each with its own TRX file (a shared, timestamped name could collide).
  for project in tests/*/*.Tests.csproj; do
    name="$(basename "$project" .csproj)"
    dotnet test "$project" -c Release --no-build --logger "trx;LogFileName=$name.trx" --results-directory "$results" "$@" || status=$?
  done
fi

passed=0
failed=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -1)"
  p="$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")"
  f="$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")"
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "dotnet test exited with $status before every test could run (build error?)" >&2
  failed=1
fi
echo "$passed passed, $failed failed"
exit "$status"
