#!/usr/bin/env python3
"""Writes demo.jsonl: ~2,000 tasks that take 10-20 s on 2 cores with default settings.

Simulated waits and CPU work of varied sizes, so progress, core load and retries are all
visible, plus a few tasks that fail every time (a missing file, a closed port, a timeout).
"""
import json
import random

rng = random.Random(20240601)
WORDS = ("the quick brown fox jumps over the lazy dog while a cat and a hat sit by the "
         "door of the old red barn near the river bank").split()
tasks = []

for i in range(800):  # wait, then add up numbers
    tasks.append({"id": f"render-{i:04d}", "fetch": {"delay_ms": [200, 2000]},
                  "compute": {"op": "sum_to", "n": rng.randrange(3_000_000, 25_000_000)}})
for i in range(500):  # hash chains
    tasks.append({"id": f"hash-{i:04d}",
                  "compute": {"op": "sha256", "rounds": rng.randrange(60_000, 500_000)}})
for i in range(400):  # wait, then count the words of the id
    phrase = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(6, 14)))
    tasks.append({"id": f"words-{i:04d} {phrase}", "fetch": {"delay_ms": [300, 3000]},
                  "compute": {"op": "wordcount", "top": 3}})
for i in range(280):  # plain CPU work
    tasks.append({"id": f"sum-{i:04d}",
                  "compute": {"op": "sum_to", "n": rng.randrange(6_000_000, 36_000_000)}})
for i in range(6):  # never works: the file is not there (not retried)
    tasks.append({"id": f"missing-file-{i}", "fetch": f"file:///nonexistent/input-{i}.txt"})
for i in range(4):  # never works: nothing listens on port 9 (retried, then fails)
    tasks.append({"id": f"closed-port-{i}", "fetch": f"http://127.0.0.1:9/item/{i}"})
for i in range(10):  # always too slow: times out on every attempt, retried twice
    tasks.append({"id": f"too-slow-{i}", "fetch": {"delay_ms": 5000}, "timeout_ms": 2500,
                  "max_attempts": 3})

rng.shuffle(tasks)
with open("demo.jsonl", "w") as out:
    out.write(json.dumps({"defaults": {"max_attempts": 3}}) + "\n")
    for t in tasks:
        out.write(json.dumps(t, separators=(",", ":")) + "\n")
