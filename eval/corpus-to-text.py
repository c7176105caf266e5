#!/usr/bin/env python3
"""Writes splits of an ingested lmc corpus back out as whitespace-separated lines (one line per </s>), the input that
KenLM's lmplz and lmc's whitespace tokenizer read. Usage: eval/corpus-to-text.py CORPUS_FOLDER OUT_FOLDER [split ...]
(default: train) -> OUT_FOLDER/<split>.txt"""
import array, sys

folder, out, splits = sys.argv[1], sys.argv[2], sys.argv[3:] or ["train"]
vocab = [line.split("\t", 1)[0] for line in open(f"{folder}/vocab.txt", encoding="utf-8")]
for split in splits:
    with open(f"{folder}/{split}.bin", "rb") as source, open(f"{out}/{split}.txt", "w", encoding="utf-8") as f:
        line = []
        while block := source.read(1 << 24):
            ids = array.array("i"); ids.frombytes(block)
            for i in ids:
                if i == 2: f.write(" ".join(line) + "\n"); line = []
                else: line.append(vocab[i])
