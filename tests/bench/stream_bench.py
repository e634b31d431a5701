#!/usr/bin/env python3
"""Streaming benchmark: W1 (no-op tasks) fed through `brigade run -` from a producer pipe
against the same tasks read from a batch file, interleaved (A B A B ...), journal on.

Reports per size: the median wall time of each, the throughput ratio (pipe / file; the
target is >= 0.8), the engine's (brigade run's) peak RSS, and its RSS sampled as the run
goes (at a quarter, half, three quarters and the end of the run) to show whether memory
grows with the tasks streamed. With several sizes, the streamed runs' peak RSS at the
largest against the smallest (the target for 10M against 1M is <= 1.2: a stream retires
its finished tasks, so RSS stays flat however many come).

    python3 tests/bench/stream_bench.py --build build --sizes 1000000,10000000 --reps 3

Stdlib only, Linux only (RSS from /proc).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from benchlib.batches import write_noop  # noqa: E402


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def run_once(brigade, batch, work, tag, piped):
    journal = os.path.join(work, f"{tag}.journal")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(journal + suffix):
            os.remove(journal + suffix)
    args = [brigade, "run", "-" if piped else batch, "--progress", "none", "--journal", journal]
    samples = []
    start = time.monotonic()
    if piped:
        producer = subprocess.Popen(["cat", batch], stdout=subprocess.PIPE)
        proc = subprocess.Popen(args, stdin=producer.stdout, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
        producer.stdout.close()
    else:
        producer = None
        proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)

    def sample():
        while proc.poll() is None:
            kb = rss_kb(proc.pid)
            if kb is not None:
                samples.append((time.monotonic() - start, kb))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    sampler.join()
    err = proc.stderr.read().decode(errors="replace")
    if producer:
        producer.wait()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}):\n{err}")
    at = {}
    for frac in (0.25, 0.5, 0.75, 1.0):
        before = [kb for t, kb in samples if t <= wall * frac]
        at[str(frac)] = before[-1] // 1024 if before else None
    return {"wall_s": wall, "peak_rss_mb": usage.ru_maxrss // 1024, "rss_mb_at": at}


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build")
    ap.add_argument("--sizes", default="1000000")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--work-dir")
    a = ap.parse_args()
    brigade = os.path.join(os.path.abspath(a.build), "bin", "brigade")
    if not os.path.exists(brigade):
        brigade = os.path.join(os.path.abspath(a.build), "app", "brigade")
    work = a.work_dir or tempfile.mkdtemp(prefix="stream-bench-")
    os.makedirs(work, exist_ok=True)
    report = []
    for n in [int(s) for s in a.sizes.split(",")]:
        batch = write_noop(os.path.join(work, f"w1-{n}.jsonl"), n)
        runs = {"file": [], "pipe": []}
        for rep in range(a.reps):
            for kind in ("file", "pipe"):
                r = run_once(brigade, batch, work, f"{kind}-{n}-{rep}", kind == "pipe")
                runs[kind].append(r)
                print(f"W1 {n} {kind} rep {rep}: {r['wall_s']:.2f} s, peak RSS "
                      f"{r['peak_rss_mb']} MB, RSS at 1/4 1/2 3/4 end: "
                      f"{list(r['rss_mb_at'].values())}", flush=True)
        file_s = statistics.median(r["wall_s"] for r in runs["file"])
        pipe_s = statistics.median(r["wall_s"] for r in runs["pipe"])
        row = {"tasks": n, "file_s": file_s, "pipe_s": pipe_s,
               "file_tasks_per_s": n / file_s, "pipe_tasks_per_s": n / pipe_s,
               "ratio": file_s / pipe_s,
               "file_peak_rss_mb": max(r["peak_rss_mb"] for r in runs["file"]),
               "pipe_peak_rss_mb": max(r["peak_rss_mb"] for r in runs["pipe"]),
               "runs": runs}
        report.append(row)
        print(f"W1 {n}: file {n / file_s:,.0f} tasks/s, pipe {n / pipe_s:,.0f} tasks/s, "
              f"ratio {row['ratio']:.2f} (target >= 0.8); peak RSS file "
              f"{row['file_peak_rss_mb']} MB, pipe {row['pipe_peak_rss_mb']} MB", flush=True)
        os.remove(batch)
    out = os.path.join(HERE, "results", "stream.json")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    summary = {"date": time.strftime("%Y-%m-%d"), "command": " ".join(sys.argv),
               "sizes": report}
    if len(report) > 1:
        small, large = report[0], report[-1]
        summary["pipe_peak_rss_ratio"] = large["pipe_peak_rss_mb"] / small["pipe_peak_rss_mb"]
        print(f"peak RSS streamed: {large['pipe_peak_rss_mb']} MB at {large['tasks']:,} against "
              f"{small['pipe_peak_rss_mb']} MB at {small['tasks']:,}: "
              f"{summary['pipe_peak_rss_ratio']:.2f}x (target <= 1.2x)", flush=True)
    with open(out, "w") as f:
        json.dump(summary, f, indent=1)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
