#!/usr/bin/env python3
"""Makes test data for Brigade's MapReduce jobs: a file of Google Books 1-gram lines
(word<TAB>year<TAB>match_count<TAB>volume_count) of about the size asked for, with word
frequencies that follow Zipf's law as real text does, and beside it FILE.truth.json with
the right answer (distinct words, the total of every word in --keys, the top 5), so a
job's output can be checked.

    python3 resources/demo/make_ngrams.py --mb 100 --out /tmp/ngram100.tsv
    brigade run resources/demo/w5-mapreduce.jsonl --output totals.csv   # reads /tmp/ngram500.tsv

The same --seed and --mb always give the same file. Standard library only.
"""
import argparse
import bisect
import itertools
import json
import os
import random
import sys

SYLLABLES = ("ka", "lo", "mi", "re", "su", "ta", "ven", "dor", "al", "is", "ur", "bel",
             "qua", "zen", "ox", "pri", "ne", "gal", "thu", "op", "sar", "wi", "fe", "mon")


def vocabulary(n, rng):
    """n distinct made-up words (plus "Aardvark", the word the demo job asks about)."""
    words = {"Aardvark"}
    while len(words) < n:
        parts = rng.choices(SYLLABLES, k=rng.randint(2, 5))
        word = "".join(parts)
        words.add(word.capitalize() if rng.random() < 0.2 else word)
    out = sorted(words - {"Aardvark"})
    rng.shuffle(out)
    out.insert(min(999, len(out)), "Aardvark")  # a word of middling frequency: rank 1,000
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mb", type=float, default=100, help="about how many MB to write (default 100)")
    ap.add_argument("--out", required=True, help="the file to write")
    ap.add_argument("--words", type=int, default=200_000, help="distinct words (default 200,000)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--keys", nargs="*", default=["Aardvark"], help="words whose totals go in the truth file")
    opt = ap.parse_args()
    if opt.mb <= 0 or opt.words < 1:
        ap.error("--mb and --words must be positive")

    rng = random.Random(opt.seed)
    vocab = vocabulary(opt.words, rng)
    # Zipf: the word of rank r occurs in proportion to 1/r.
    cumulative = list(itertools.accumulate(1.0 / r for r in range(1, len(vocab) + 1)))
    totals = {}
    target = int(opt.mb * 1_000_000)
    written = 0
    lines = 0
    with open(opt.out, "w", encoding="utf-8", newline="\n") as out:
        while written < target:
            picks = rng.choices(range(len(vocab)), cum_weights=cumulative, k=20_000)
            block = []
            for i in picks:
                word = vocab[i]
                count = 1 + int(rng.paretovariate(1.2) * 3)
                totals[word] = totals.get(word, 0) + count
                block.append(f"{word}\t{rng.randrange(1800, 2020)}\t{count}\t{1 + count // 3}\n")
            text = "".join(block)
            out.write(text)
            written += len(text.encode())
            lines += len(block)
            if lines % 1_000_000 == 0:
                print(f"\r{written / 1e6:8.1f} / {target / 1e6:.1f} MB", end="", file=sys.stderr)
    print(file=sys.stderr)
    top = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    truth = {
        "file": os.path.basename(opt.out),
        "bytes": written,
        "lines": lines,
        "distinct_words": len(totals),
        "total": sum(totals.values()),
        "keys": {k: totals.get(k, 0) for k in opt.keys},
        "top5": [[w, c] for w, c in top],
        "seed": opt.seed,
    }
    with open(opt.out + ".truth.json", "w") as f:
        json.dump(truth, f, indent=1)
    print(f"wrote {opt.out}: {written:,} bytes, {lines:,} lines, {len(totals):,} distinct words "
          f"(the right answer: {opt.out}.truth.json)", file=sys.stderr)


if __name__ == "__main__":
    main()
