#!/usr/bin/env python3
"""Turns the unpacked Debian documentation packages of corpora/debian-docs.packages into plain English text.

Usage: debian_docs_text.py KIND SOURCE_ROOT[:SOURCE_ROOT...] OUT_DIR [SKIPPED_FOLDER,...]
  KIND: rst (reStructuredText, AsciiDoc and plain .txt, gzipped or not), md (Markdown), pod (Perl's POD), html,
        dict (dictd .dict.dz)
Writes OUT_DIR/NNNNN.txt, one document per source file (a dictionary: one per 2,000 entries, in order), one paragraph
per line (lines are sentences to lmc: wrapped lines of a paragraph are joined). Code is dropped: literal and verbatim
blocks, <pre>, directives, tables; inline markup is reduced to its text. Prints "documents paragraphs words".
The rules are deliberately simple and deterministic: the point is real English prose at scale, not a perfect render.
"""
import gzip
import html
import html.parser
import os
import re
import sys

RST_SUFFIXES = (".rst", ".rst.gz", ".txt", ".txt.gz")
POD_SUFFIXES = (".pod", ".pod.gz")
HTML_SUFFIXES = (".html",)
MD_SUFFIXES = (".md", ".md.gz")
SKIPPED_FILES = ("print.html",)  # mdBook's whole book on one page: every chapter a second time
DICT_SUFFIXES = (".dict.dz",)
ENTRIES_PER_DOCUMENT = 2000


def read_text(path):
    opener = gzip.open if path.endswith((".gz", ".dz")) else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as f:
        return f.read()


def paragraphs(lines):
    """Blank-line separated paragraphs of already cleaned lines, each joined into one line."""
    block = []
    for line in lines:
        if line.strip():
            block.append(line.strip())
        elif block:
            yield " ".join(block)
            block = []
    if block:
        yield " ".join(block)


def prose(paragraph):
    """Keeps a paragraph that reads as text: enough words, mostly letters (drops tables, code, option lists)."""
    words = paragraph.split()
    if len(words) < 3:
        return False
    letters = sum(c.isalpha() or c.isspace() for c in paragraph)
    return letters >= 0.8 * len(paragraph)


# reStructuredText: headings' under/overlines, directives with their indented bodies, literal blocks after "::"
RST_ADORNMENT = re.compile(r"^\s*([=\-~^\"'`#*+_.:<>])\1{2,}\s*$")
RST_DIRECTIVE = re.compile(r"^\s*\.\.(\s|$)")
RST_ROLE = re.compile(r":[\w:+-]+:`([^`<]*?)(?:\s*<[^>]*>)?`")
RST_LINK = re.compile(r"`([^`<]*?)\s*<[^>]*>`_{1,2}")
RST_INLINE = re.compile(r"``|`_{0,2}|\*\*|(?<!\w)\*(?=\w)|(?<=\w)\*(?!\w)|\|")
RST_FIELD = re.compile(r"^\s*:[\w ]+:(\s|$)")


def rst_lines(text):
    skip_indent = None  # inside a directive body or literal block: skip lines indented deeper than this
    literal_next = False
    for raw in text.splitlines():
        line = raw.expandtabs(8)
        indent = len(line) - len(line.lstrip())
        if skip_indent is not None:
            if not line.strip() or indent > skip_indent:
                continue
            skip_indent = None
        if literal_next and line.strip():
            literal_next = False
            if indent > 0:
                skip_indent = 0
                continue
        if RST_DIRECTIVE.match(line):
            skip_indent = indent
            yield ""
            continue
        if RST_ADORNMENT.match(line) or RST_FIELD.match(line):
            yield ""
            continue
        stripped = line.rstrip()
        if stripped.endswith("::"):
            literal_next = True
            stripped = stripped[:-1] if not stripped.endswith(" ::") else stripped[:-3]
        if indent >= 4 and not stripped.lstrip().startswith(("-", "*", "+")) and not re.match(r"^\s*\d+\.", stripped):
            continue  # an indented block that is not a list item: a quote, an example, a table body
        cleaned = RST_LINK.sub(r"\1", stripped)
        cleaned = RST_ROLE.sub(r"\1", cleaned)
        cleaned = RST_INLINE.sub("", cleaned)
        yield re.sub(r"^\s*(?:[-*+]|\d+\.|#\.)\s+", "", cleaned)


MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\[[^\]]*\]")


def md_lines(text):
    fenced = False
    for raw in text.splitlines():
        if raw.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            yield ""
            continue
        if fenced or raw.startswith(("    ", "\t", "<!--", "|")) or re.match(r"^\s*\[[^\]]+\]:", raw):
            continue  # code, comments, tables, link definitions
        line = MD_LINK.sub(lambda m: m.group(1) if m.group(1) is not None else m.group(2), raw)
        line = re.sub(r"<[^>]+>|`|\*\*|__", "", line)
        if re.match(r"^\s*#+\s", line):
            yield ""
            yield line.lstrip("# ")
            yield ""
            continue
        yield re.sub(r"^\s*(?:[-*+]|\d+\.)\s+", "", line)


# POD: commands start a line with "=", verbatim paragraphs are indented, formatting codes look like B<...> or C<< ... >>
POD_CODE = re.compile(r"[A-Z]<(?:<+\s(.*?)\s>+|([^<>]*))>")


def pod_text(code):
    inner = code.group(1) if code.group(1) is not None else code.group(2)
    letter = code.group(0)[0]
    if letter == "E":
        return {"lt": "<", "gt": ">", "verbar": "|", "sol": "/"}.get(inner, html.unescape(f"&{inner};"))
    if letter in "XZ":
        return ""
    if letter == "L":
        return inner.split("|", 1)[0] if "|" in inner else inner.split("/")[-1].strip('"')
    return inner


def pod_lines(text):
    in_pod, skipping = False, False
    verbatim = False
    previous_blank = True
    for raw in text.splitlines():
        line = raw.expandtabs(8)
        if line.startswith("="):
            command = line.split(None, 1)
            name = command[0]
            in_pod = name != "=cut"
            skipping = name in ("=begin", "=for") or (skipping and name != "=end")
            if name in ("=head1", "=head2", "=head3", "=head4", "=item") and len(command) > 1:
                yield ""
                yield reduce_pod(command[1].lstrip("* "))
                yield ""
            else:
                yield ""
            previous_blank = False
            continue
        if not in_pod or skipping:
            continue
        if not line.strip():
            previous_blank, verbatim = True, False
            yield ""
            continue
        if previous_blank and line[0] in " \t":
            verbatim = True
        previous_blank = False
        if not verbatim:
            yield reduce_pod(line)


def reduce_pod(line):
    for _ in range(3):  # nested codes: B<C<x>>
        line = POD_CODE.sub(pod_text, line)
    return line


class HtmlText(html.parser.HTMLParser):
    """The text of an HTML page with block elements as paragraph breaks; <pre>, scripts, styles, navigation dropped."""

    BLOCK = {"p", "div", "li", "dd", "dt", "h1", "h2", "h3", "h4", "h5", "h6", "br", "tr", "table", "section", "blockquote", "title"}
    SKIP = {"pre", "script", "style", "head", "code", "table", "nav"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skip += 1
        if tag in self.BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skip:
            self.skip -= 1
        if tag in self.BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data.replace("\n", " "))


def html_lines(text):
    parser = HtmlText()
    parser.feed(text)
    parser.close()
    return "".join(parser.parts).splitlines()


# dictd dictionaries (GCIDE, FOLDOC, Jargon): pronunciations \...\, cross references {...}, domain tags <...>, source notes
DICT_NOTE = re.compile(r"^\s*(\[[^\]]*\]|\(\d{4}-\d\d-\d\d\))\s*$")
DICT_MARKUP = re.compile(r"\\[^\\\n]*\\|[{}]|<[^>\n]*>|--[A-Z][\w. ]*\.?$|\([^()\s]*\[[^()\s]*\)")


DICT_SENSE = re.compile(r"^\s+(?:(?:n|v|adj|adv)\s+)?\d+:\s*")  # WordNet: "    n 1: ..." starts a sense
DICT_CROSS = re.compile(r"\[(?:syn|ant|also|see):[^\]]*\]")


def dict_entries(text):
    """Paragraphs of a dictd file (a headword at column 0 or a WordNet sense starts one), its 00-database-* entries dropped."""
    lines = []
    for raw in text.splitlines():
        if DICT_NOTE.match(raw):
            continue
        if raw[:1].strip() or DICT_SENSE.match(raw):
            lines.append("")
        lines.append(DICT_MARKUP.sub("", DICT_SENSE.sub("", raw)))
    for paragraph in paragraphs(lines):
        if "00-database" in paragraph or "00database" in paragraph:
            continue
        yield DICT_CROSS.sub("", paragraph)


def sources(roots, suffixes, skipped_folders=()):
    found = []
    for root in roots.split(":"):
        if not os.path.isdir(root):
            sys.exit(f"debian_docs_text.py: {root}: no such folder in the unpacked package")
        for folder, subfolders, files in os.walk(root):
            subfolders[:] = sorted(d for d in subfolders if d not in skipped_folders)
            found.extend(os.path.join(folder, f) for f in files if f.endswith(suffixes) and f not in SKIPPED_FILES)
    return sorted(found)


def main():
    kind, root, out = sys.argv[1:4]
    skipped = tuple(sys.argv[4].split(",")) if len(sys.argv) > 4 and sys.argv[4] else ()
    os.makedirs(out, exist_ok=True)
    documents = total_paragraphs = words = 0

    def write(paras):
        nonlocal documents, total_paragraphs, words
        kept = [re.sub(r"\s+", " ", p).strip() for p in paras]
        kept = [p for p in kept if prose(p)]
        if not kept:
            return
        documents += 1
        total_paragraphs += len(kept)
        words += sum(len(p.split()) for p in kept)
        with open(os.path.join(out, f"{documents:05d}.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(kept) + "\n")

    if kind == "dict":
        for path in sources(root, DICT_SUFFIXES, skipped):
            entries = list(dict_entries(read_text(path)))
            for start in range(0, len(entries), ENTRIES_PER_DOCUMENT):
                write(entries[start:start + ENTRIES_PER_DOCUMENT])
    else:
        suffixes, lines = {"rst": (RST_SUFFIXES, rst_lines), "pod": (POD_SUFFIXES, pod_lines),
                           "html": (HTML_SUFFIXES, html_lines), "md": (MD_SUFFIXES, md_lines)}[kind]
        for path in sources(root, suffixes, skipped):
            write(paragraphs(lines(read_text(path))))
    print(documents, total_paragraphs, words)


if __name__ == "__main__":
    main()
