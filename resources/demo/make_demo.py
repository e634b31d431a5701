#!/usr/bin/env python3
"""Writes Brigade's demo batches into the current directory (the files are committed; run
this only to change them):

- demo.jsonl: ~2,000 tasks that take 10-20 s on 2 cores with default settings. Simulated
  waits and CPU work of varied sizes, so progress, core load and retries are all visible.
  A fifth of the simulated fetches fail (flaky IO, as the asyncio + tenacity recipes
  simulate it) and succeed on a later attempt, so the run shows retries and still ends
  with every task succeeded (exit status 0).
- demo-failures.jsonl: ~300 tasks of which some fail every time (a missing file, a closed
  port, a wait that always times out), to try Retry Failed, the failure details and the
  exit status 1 of a run with failures.
"""
import json
import random

WORDS = ("the quick brown fox jumps over the lazy dog while a cat and a hat sit by the "
         "door of the old red barn near the river bank").split()
# A flaky fetch fails 20% of its attempts; with 12 attempts the chance that one of the
# 1,200 flaky tasks fails all of them is 1,200 x 0.2^12, about 5 in a million.
FLAKY = 0.2
FLAKY_ATTEMPTS = 12


def render(rng, i, flaky):
    fetch = {"delay_ms": [200, 2000]}
    if flaky:
        fetch["fail_rate"] = FLAKY
    return {"id": f"render-{i:04d}", "fetch": fetch,
            "compute": {"op": "sum_to", "n": rng.randrange(3_000_000, 25_000_000)}}


def words(rng, i, flaky):
    phrase = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(6, 14)))
    fetch = {"delay_ms": [300, 3000]}
    if flaky:
        fetch["fail_rate"] = FLAKY
    return {"id": f"words-{i:04d} {phrase}", "fetch": fetch,
            "compute": {"op": "wordcount", "top": 3}}


def write(path, defaults, tasks):
    with open(path, "w") as out:
        out.write(json.dumps({"defaults": defaults}) + "\n")
        for t in tasks:
            out.write(json.dumps(t, separators=(",", ":")) + "\n")


def demo():
    rng = random.Random(20240601)
    tasks = [render(rng, i, True) for i in range(800)]
    tasks += [{"id": f"hash-{i:04d}",
               "compute": {"op": "sha256", "rounds": rng.randrange(60_000, 500_000)}}
              for i in range(500)]
    tasks += [words(rng, i, True) for i in range(400)]
    tasks += [{"id": f"sum-{i:04d}",
               "compute": {"op": "sum_to", "n": rng.randrange(6_000_000, 36_000_000)}}
              for i in range(300)]
    rng.shuffle(tasks)
    write("demo.jsonl", {"max_attempts": FLAKY_ATTEMPTS}, tasks)


def demo_failures():
    rng = random.Random(20240602)
    tasks = [render(rng, i, False) for i in range(120)]
    tasks += [words(rng, i, False) for i in range(100)]
    tasks += [{"id": f"sum-{i:04d}",
               "compute": {"op": "sum_to", "n": rng.randrange(6_000_000, 36_000_000)}}
              for i in range(60)]
    for i in range(6):  # never works: the file is not there (not retried)
        tasks.append({"id": f"missing-file-{i}", "fetch": f"file:///nonexistent/input-{i}.txt"})
    for i in range(4):  # never works: nothing listens on port 9 (retried, then fails)
        tasks.append({"id": f"closed-port-{i}", "fetch": f"http://127.0.0.1:9/item/{i}"})
    for i in range(10):  # always too slow: times out on every attempt, retried twice
        tasks.append({"id": f"too-slow-{i}", "fetch": {"delay_ms": 5000}, "timeout_ms": 2500,
                      "max_attempts": 3})
    rng.shuffle(tasks)
    write("demo-failures.jsonl", {"max_attempts": 3}, tasks)


if __name__ == "__main__":
    demo()
    demo_failures()
