"""The workloads of ../shared/workloads.md: what Brigade and each peer run, and the targets.

Each public function runs one workload (all its cases, interleaved repetitions) and
returns a list of *cases*: plain dicts that the report module turns into JSON and a
Markdown table. A case holds Brigade's summary, the peers' summaries, the ratio against
the best peer, the targets with met/missed, and whether the results were equal.

W5 (MapReduce over an n-gram file) and G1 (the desktop window at scale) are at the end;
G1 is "not available" only where there is no display and no xvfb-run to make one.
"""
import json
import os
import shlex
import shutil
import statistics
import subprocess
import time

from . import batches
from . import checksums as cs
from . import nginx as nginx_server
from . import procs
from .suite import Runner, checksums_agree, summarize

# ---------------------------------------------------------------------------------------
# helpers shared by the cases


def target(what, value, limit, higher_is_better, shown=None, correctness=False):
    """One target line: met is None (n/a) when there is no value to judge. Values are
    ratios ("12.3×") unless `shown` says otherwise. A missed `correctness` target (wrong
    results, not a slow run) makes the suite fail."""
    met = None if value is None else (value >= limit if higher_is_better else value <= limit)
    if shown is None and value is not None:
        shown = f"{value:.2f}×" if value < 100 else f"{value:.0f}×"
    return {"what": what, "value": value, "limit": limit, "higher_is_better": higher_is_better,
            "met": met, "shown": shown, "correctness": correctness}


def best_peer(peers):
    """Name of the peer with the lowest median time (None if none succeeded)."""
    ok = {n: s for n, s in peers.items() if s["median_s"]}
    return min(ok, key=lambda n: ok[n]["median_s"]) if ok else None


def ratio(a, b):
    """a / b, or None when either is missing."""
    return round(a / b, 3) if a and b else None


def make_case(case_id, workload, title, tasks, results, brigade, peers, *, variants=None, metric="makespan",
              notes=()):
    """The common part of a case: summaries, best peer, speed ratio, result equality.
    `brigade` names the runner the targets are about; `variants` maps a label to other
    Brigade runners shown beside it (e.g. "1 worker"). ratio_vs_best_peer > 1 means
    Brigade is faster (peer time / Brigade time)."""
    b = summarize(results[brigade], tasks)
    v = {label: summarize(results[name], tasks) for label, name in (variants or {}).items()}
    p = {n: summarize(results[n], tasks) for n in peers if n in results}
    bp = best_peer(p)
    return {
        "id": case_id, "workload": workload, "title": title, "tasks": tasks, "metric": metric,
        "status": "ok" if b["median_s"] else "failed",
        "brigade_runner": brigade, "brigade": b, "brigade_variants": v, "peers": p, "best_peer": bp,
        "ratio_vs_best_peer": ratio(p[bp]["median_s"], b["median_s"]) if bp else None,
        "results_equal": checksums_agree(b, [*v.values(), *p.values()]) if p or v else None,
        "runs": results, "targets": [], "notes": list(notes),
    }


def not_available(case_id, workload, title, why):
    """A case that cannot be measured here (`why` says what is missing); reported, never a failure."""
    return {"id": case_id, "workload": workload, "title": title, "status": "not available",
            "why": why, "targets": [], "notes": [], "peers": {}, "brigade": None, "results_equal": None}


def _num(x):
    return None if x is None else (round(x, 3) if isinstance(x, float) else x)


def _aiomp_available():
    """The peers' aiomultiprocess runners need AIOMP_PATH/aiomultiprocess (never vendored)."""
    path = os.environ.get("AIOMP_PATH")
    return bool(path) and os.path.isfile(os.path.join(path, "aiomultiprocess", "__init__.py"))


def _fmt_n(n):
    """300, 2k, 100k, 1M: short case ids."""
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else str(n)


# ---------------------------------------------------------------------------------------
# W1: no-op tasks, and how Brigade's cost per task grows with the batch


def w1_noop(suite, rates):
    """W1 at each size in options.w1_sizes; fills rates[(runner, size)] = tasks/s for the
    cross-size targets (the per-task run_in_executor peer only runs at <= 100k: at
    7 k tasks/s it would take 140 s for 1M)."""
    opt = suite.opt
    cases = []
    write, checksum = batches.W1_BATCHES[opt.w1_batch], cs.w1_batch_checksum(opt.w1_batch)
    for n in opt.w1_sizes:
        batch = write(suite.path(f"w1_{opt.w1_batch}_{n}.jsonl"), n)
        check = lambda r, n=n: checksum(r, n)
        runners = [suite.brigade_runner("brigade", batch, check)]
        if not opt.smoke:
            # Right after the journaled run, so each pair shares the machine's mood.
            runners.append(suite.brigade_runner("brigade_nojournal", batch, None, journal=False))
            runners.append(suite.brigade_runner("brigade_output", batch, check, output=True))
        peer_args = ["--tasks", str(n), "--workers", str(opt.cores)]
        runners.append(suite.peer_runner("mp_imap_cs1000", "w1_noop.py", ["--runner", "mp_imap", *peer_args]))
        if not opt.smoke:
            runners.append(suite.peer_runner("ppe_map_cs1000", "w1_noop.py", ["--runner", "ppe_map", *peer_args]))
            if n <= 100_000:
                runners.append(suite.peer_runner("ppe_executor", "w1_noop.py", ["--runner", "ppe_executor",
                                                                                  *peer_args]))
            if _aiomp_available():
                runners.append(suite.peer_runner("aiomp_map", "w1_noop.py", ["--runner", "aiomp_map", *peer_args]))
        results = suite.interleave(f"W1 {_fmt_n(n)}", runners)
        if not opt.smoke and opt.journal_reps > opt.reps:
            # The journal's share is a few percent of a sub-second run: more pairs than the
            # other contenders need, so one noisy repetition cannot decide it.
            pair = [r for r in runners if r.name in ("brigade", "brigade_nojournal")]
            extra = suite.interleave(f"W1 {_fmt_n(n)} journal pairs", pair, reps=opt.journal_reps - opt.reps,
                                     first_rep=opt.reps + 1)
            for name, records in extra.items():
                results[name] += records
        what = "realistic lines (each its own id)" if opt.w1_batch == "real" else "all-{} lines"
        case = make_case(f"W1-{_fmt_n(n)}", "W1", f"W1 no-op, {n:,} tasks, {what} (journal on)", n, results,
                         "brigade",
                         [r.name for r in runners if r.kind == "peer"], metric="tasks/s",
                         variants={"with --output file": "brigade_output"} if not opt.smoke else None)
        for name, s in [("brigade", case["brigade"]), *case["peers"].items()]:
            rates[(name, n)] = s.get("tasks_per_s")
        case["per_task"] = _per_task_cpu(results["brigade"], n)
        if "brigade_nojournal" in results:
            case["journal_cost"] = _journal_cost(results["brigade"], results["brigade_nojournal"], n)
        _w1_targets(case, n, rates, opt.smoke)
        cases.append(case)
    return cases


def _tasks_per_worker(records):
    """How the median run split its tasks between workers, e.g. [200] or [100, 100]."""
    good = sorted((r for r in records if r.get("ok")), key=lambda r: r["seconds"])
    return good[len(good) // 2].get("tasks_per_worker") if good else None


def _per_task_cpu(records, n):
    """µs of CPU per task: all of Brigade (wait4), the brigade process alone (engine, CLI,
    journal, output) and the workers, from the median run."""
    good = [r for r in records if r.get("ok")]
    if not good:
        return None
    med = lambda key: statistics.median([r[key] for r in good if r.get(key) is not None])
    return {"cpu_us_per_task": round(med("cpu_s") / n * 1e6, 3),
            "engine_cpu_us_per_task": round(med("self_cpu_s") / n * 1e6, 3),
            "worker_cpu_us_per_task": round(med("children_cpu_s") / n * 1e6, 3),
            "wall_us_per_task": round(med("seconds") / n * 1e6, 3)}


def _journal_cost(on, off, tasks):
    """The share of W1 throughput the journal costs: 1 - rate with journal / rate without,
    from the runs of the same repetition (adjacent in time), median over repetitions."""
    pairs = [(a["seconds"], b["seconds"]) for a, b in zip(on, off)
             if a.get("ok") and b.get("ok") and a.get("seconds") and b.get("seconds")]
    if not pairs:
        return None
    costs = [1 - off_s / on_s for on_s, off_s in pairs]
    return {"cost": round(statistics.median(costs), 4), "per_rep": [round(c, 4) for c in costs],
            "without_journal": summarize(off, tasks)}


def _w1_targets(case, n, rates, smoke):
    """W1's targets apply to 1M tasks: >= 1M tasks/s, >= 140x per-task run_in_executor,
    >= 25x the aiomultiprocess pool (rates compared, since the peers ran at <= 100k)."""
    if smoke or n < 1_000_000:
        return
    b = case["brigade"].get("tasks_per_s")
    case["targets"].append(target("tasks/s on 1M tasks, journal on", b, 1_000_000, True,
                                  shown=f"{b / 1e6:.2f} M/s" if b else None))
    jc = (case.get("journal_cost") or {}).get("cost")
    case["targets"].append(target("journal's share of throughput", jc, 0.10, False,
                                  shown=f"{jc:.1%}" if jc is not None else None))
    ppe = max((v for (name, size), v in rates.items() if name == "ppe_executor" and v), default=None)
    case["targets"].append(target("x per-task run_in_executor (rate at 100k)", ratio(b, ppe), 140, True))
    aiomp = max((v for (name, size), v in rates.items() if name.startswith("aiomp") and v), default=None)
    case["targets"].append(target("x aiomultiprocess pool", ratio(b, aiomp), 25, True,
                                  shown=None if aiomp else "n/a (AIOMP_PATH not set)"))


# W1 as real batches are written: every line its own id, the fields on every line


W1_REAL_BATCHES = [
    # (case suffix, title, writer)
    ("empty", "all-{} lines, op in the defaults line (the classic W1)", batches.write_noop),
    ("real", 'lines {"id": "n<i>", "compute": {"op": "sum_to", "n": 0}} (W1\'s default)', batches.write_noop_real),
    ("ids", 'lines {"id":"n<i>"}, op in the defaults line', batches.write_noop_ids),
    ("fields", 'lines {"id":"n<i>","compute":{"op":"sum_to","n":<i%1000>}}', batches.write_noop_fields),
]


def w1_real(suite):
    """W1 on batches with distinct ids (and fields), beside the all-{} batch, at the largest
    W1 size: tasks/s of the whole `brigade run` (journal on) and its peak RSS, against the
    --baseline-brigade build when given (same run, interleaved). Targets (issue 15): >= 1M
    tasks/s journaled on the realistic batch ("real"), <= 150 MB peak RSS on the "ids"
    batch; the bench holds the "fields" batch, whose sum_to adds 500 numbers a task on
    average, to 1M tasks/s too."""
    opt = suite.opt
    n = max(opt.w1_sizes)
    cases = []
    for key, title, write in W1_REAL_BATCHES:
        if key in batches.W1_BATCHES:
            batch = write(suite.path(f"w1_{key}_{n}.jsonl"), n)
            check = lambda r, n=n, key=key: cs.w1_batch_checksum(key)(r, n)
        else:
            batch = write(suite.path(f"w1real_{key}_{n}.jsonl"), n)
            check = lambda r, n=n: cs.w1_ids_checksum(r, n)
        runners = [suite.brigade_runner("brigade", batch, check, keep_results=False)]
        if opt.baseline_brigade:
            runners.append(suite.brigade_runner("brigade_baseline", batch, check, keep_results=False,
                                                brigade=opt.baseline_brigade))
        results = suite.interleave(f"W1real {key} {_fmt_n(n)}", runners)
        label = opt.baseline_label or "baseline"
        case = make_case(f"W1real-{key}-{_fmt_n(n)}", "W1", f"W1 {n:,} tasks, {title} (journal on)", n, results,
                         "brigade", [], metric="tasks/s",
                         variants={label: "brigade_baseline"} if opt.baseline_brigade else None)
        b = case["brigade"]
        base = case["brigade_variants"].get(label)
        if base:
            case["vs_baseline"] = {"speed": ratio(base.get("median_s"), b.get("median_s")),
                                   "maxrss_mb": base.get("maxrss_mb")}
            case["notes"].append(f"{_fmt_n(n)} {key}: {ratio(base.get('median_s'), b.get('median_s'))}× the "
                                 f"baseline build's tasks/s; peak RSS {b.get('maxrss_mb')} MB (baseline "
                                 f"{base.get('maxrss_mb')} MB)")
        if not opt.smoke and key in ("real", "fields"):
            rate = b.get("tasks_per_s")
            what = "realistic batch" if key == "real" else "distinct ids and fields"
            case["targets"].append(target(f"tasks/s, {what}, journal on", rate, 1_000_000, True,
                                          shown=f"{rate / 1e6:.2f} M/s" if rate else None))
        if not opt.smoke and key == "ids":
            rss = b.get("maxrss_mb")
            case["targets"].append(target("peak RSS of brigade (MB), 1M distinct ids", rss, 150, False,
                                          shown=f"{rss:.0f} MB" if rss else None))
        cases.append(case)
    return cases


def load_batches(suite):
    """Reading a batch alone (issue 15): `parse_bench FILE --reps 1` per repetition, the
    parse's own best time and the memory held per task, on 1M lines of W1's realistic
    batch, of distinct ids and fields, of a .txt list of distinct URLs and of JSON Lines
    fetching those URLs with ids of their own, and of a list of arguments for a command
    (read as brigade run LIST -- PROG reads it: BatchParser::parseArgumentList); the URL
    list's slow path (URLs libcurl rewrites, so every line is parsed by it) is shown beside
    it. Target: each of the first five read in <= 0.3 s."""
    opt = suite.opt
    n = 3000 if opt.smoke else max(opt.w1_sizes)
    tool = os.path.join(os.path.dirname(opt.brigade), "parse_bench")  # copied beside brigade
    if not os.access(tool, os.X_OK):
        return [not_available("LOAD", "LOAD", "batch reading", f"no parse_bench at {tool} (build it)")]

    def runner(name, path, extra=()):
        def run(rep):
            m, rec = suite.measure([tool, path, "--reps", "1", *extra], name, rep, suite.timeout(600))
            out = _last_json_line_of(m.stdout) or {}
            ok = m.rc == 0 and out.get("tasks") == n and out.get("errors") == 0
            rec.update(rep=rep, ok=ok, seconds=out.get("best_s"), checksum=f"{out.get('tasks')}:{out.get('errors')}",
                       held_bytes_per_task=out.get("held_bytes_per_task"),
                       journal_batch_s=out.get("journal_batch_s"))
            return rec
        return Runner(name, "brigade", run)

    files = [
        ("real", "JSON Lines, W1's realistic batch", "jsonl", batches.write_noop_real, True),
        ("fields", "JSON Lines, distinct ids and fields", "jsonl", batches.write_noop_fields, True),
        ("urls", ".txt list of distinct URLs", "txt", batches.write_url_list, True),
        ("fetches", "JSON Lines of fetches, distinct ids and URLs", "jsonl", batches.write_url_jsonl, True),
        ("args", "list of distinct arguments for a command (brigade run LIST -- PROG)", "txt",
         batches.write_argument_list, True),
        ("urls-normalised", ".txt list of distinct URLs libcurl rewrites (slow path)", "txt",
         lambda p, k: batches.write_url_list(p, k, normalised=True), False),
    ]
    runners, titles = [], {}
    for key, title, ext, write, _ in files:
        extra = ("--command", "true") if key == "args" else ()
        runners.append(runner(f"parse_{key}", write(suite.path(f"load_{key}_{n}.{ext}"), n), extra))
        titles[key] = title
    results = suite.interleave(f"LOAD {_fmt_n(n)}", runners)
    cases = []
    for key, title, _, _, targeted in files:
        name = f"parse_{key}"
        case = make_case(f"LOAD-{key}-{_fmt_n(n)}", "LOAD", f"Read {n:,} lines: {title}", n, results, name, [],
                         metric="tasks/s")
        held = [r.get("held_bytes_per_task") for r in results[name] if r.get("ok")]
        if held:
            case["notes"].append(f"{key}: {statistics.median(held):.0f} bytes held per task (RSS growth while "
                                 f"the parsed batch is held)")
        made = [r.get("journal_batch_s") for r in results[name] if r.get("ok") and r.get("journal_batch_s")]
        if made:
            case["notes"].append(f"{key}: the batch its journal holds is made apart, on the journal's thread as the "
                                 f"run starts: {statistics.median(made):.3f} s (not in the time above)")
        secs = case["brigade"].get("median_s")
        if targeted and not opt.smoke:
            case["targets"].append(target("seconds to read 1M lines", secs, 0.3, False,
                                          shown=f"{secs:.2f} s" if secs else None))
        cases.append(case)
    return cases


def _last_json_line_of(text):
    for line in reversed(text.splitlines()):
        if line.strip().startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                return None
    return None


def w1_scaling(suite, w1_cases):
    """Makespan and CPU per task at 1k, 10k, 100k, 1M tasks (Brigade only; sizes W1
    already measured are reused). Growth is "linear or better" when the wall time per
    task never rises by more than 10% (noise) from one size to the next."""
    opt = suite.opt
    known = {c["tasks"]: c["runs"]["brigade"] for c in w1_cases}
    rows = []
    for n in opt.scaling_sizes:
        if n not in known:
            batch = batches.W1_BATCHES[opt.w1_batch](suite.path(f"w1_{opt.w1_batch}_{n}.jsonl"), n)
            checksum = cs.w1_batch_checksum(opt.w1_batch)
            runner = suite.brigade_runner("brigade", batch, lambda r, n=n: checksum(r, n))
            known[n] = suite.interleave(f"W1 scaling {_fmt_n(n)}", [runner])["brigade"]
        s = summarize(known[n], n)
        row = {"tasks": n, "median_s": s["median_s"], "tasks_per_s": s.get("tasks_per_s"),
               "tree_rss_peak_mb": s["tree_rss_peak_mb"], "checksums": s["checksums"],
               **(_per_task_cpu(known[n], n) or {})}
        rows.append(row)
    steps = []
    for a, b in zip(rows, rows[1:]):
        if a["median_s"] and b["median_s"]:
            growth = (b["median_s"] / b["tasks"]) / (a["median_s"] / a["tasks"])
            marginal = (b["median_s"] - a["median_s"]) / (b["tasks"] - a["tasks"]) * 1e6
            steps.append({"from": a["tasks"], "to": b["tasks"], "per_task_growth": round(growth, 3),
                          "marginal_us_per_task": round(marginal, 3)})
    linear = all(s["per_task_growth"] <= 1.10 for s in steps) if steps else None
    return {"rows": rows, "steps": steps, "linear_or_better": linear, "fixed_cost": _fixed_cost(suite)}


def _fixed_cost(suite):
    """What one `brigade run` costs before any task: a 1-task batch with the journal on
    and off. It bounds every small or short workload (W4's speedup, W1 at 1k)."""
    batch = batches.write_noop(suite.path("w1_1.jsonl"), 1)
    on = suite.brigade_runner("brigade_1task", batch, lambda r: cs.w1_checksum(r, 1))
    off = suite.brigade_runner("brigade_1task_nojournal", batch, lambda r: cs.w1_checksum(r, 1), journal=False)
    results = suite.interleave("fixed cost", [on, off])
    return {"journal_on_s": summarize(results[on.name])["median_s"],
            "journal_off_s": summarize(results[off.name])["median_s"]}


# ---------------------------------------------------------------------------------------
# W2: 10,000 latency-bound tasks


def w2_latency(suite):
    """W2: sleep 200-700 ms, then sum_to 100,000. Ideal = 0.7 s + N x t_sum / cores, with
    t_sum Brigade's own cost of one sum_to 100,000 measured in this run: the wall time of
    a --workers 1 run of N sum_to 100,000 tasks (no fetch, no journal) minus that of N
    no-op tasks, divided by N (so start-up and per-task overhead are not counted as
    work). The peers' ideal comes from their `calib` runner (the Python loop)."""
    opt = suite.opt
    n = 200 if opt.smoke else 10_000
    loop_n = 100_000
    batch = batches.write_sum(suite.path("w2.jsonl"), n, loop_n, delay_ms=(200, 700))
    runners = [suite.brigade_runner("brigade", batch, cs.count_sum_checksum)]
    peer_args = ["--tasks", str(n), "--workers", str(opt.cores)]
    if not opt.smoke:
        cal_sum = batches.write_sum(suite.path("w2_cal_sum.jsonl"), n, loop_n)
        cal_noop = batches.write_sum(suite.path("w2_cal_noop.jsonl"), n, 0)
        runners = [_calibration_runner(suite, "brigade_cal_sum", cal_sum),
                   _calibration_runner(suite, "brigade_cal_noop", cal_noop), *runners,
                   suite.peer_runner("peer_calib", "w2_latency.py", ["--runner", "calib", *peer_args],
                                     kind="calibration")]
    runners.append(suite.peer_runner("percore", "w2_latency.py", ["--runner", "percore", *peer_args]))
    if not opt.smoke:
        runners.append(suite.peer_runner("gather_1proc", "w2_latency.py", ["--runner", "gather", *peer_args]))
    results = suite.interleave("W2", runners)
    case = make_case("W2", "W2", f"W2 latency, {n:,} tasks (sleep 200-700 ms + sum_to 100,000)", n, results,
                     "brigade", [r.name for r in runners if r.kind == "peer"])
    if not opt.smoke:
        _w2_ideal(case, results, n, opt.cores)
    return [case]


def _calibration_runner(suite, name, batch):
    """A --workers 1, no-journal, no-output Brigade run timed only to derive an ideal."""

    def run(rep):
        _, rec, _, _ = suite.run_brigade(batch, name, rep, workers=1, journal=False, output=False)
        rec["checksum"] = None
        return rec

    return Runner(name, "calibration", run)


def _w2_ideal(case, results, n, cores):
    """Brigade's and the peers' ideals, and W2's targets (<= 1.15 x ideal, >= 10x the best peer)."""
    t_sum = summarize(results["brigade_cal_sum"])["median_s"]
    t_noop = summarize(results["brigade_cal_noop"])["median_s"]
    t_one = max(0.0, (t_sum - t_noop) / n) if t_sum and t_noop else None
    ideal = 0.7 + n * t_one / cores if t_one is not None else None
    peer_cal = [r["peer"] for r in results["peer_calib"] if r.get("ok")]
    case["ideal"] = {
        "brigade_ideal_s": _num(ideal), "brigade_sum_to_100000_us": _num(t_one * 1e6 if t_one is not None else None),
        "brigade_cal_sum_s": t_sum, "brigade_cal_noop_s": t_noop,
        "peer_ideal_s": _num(statistics.median([p["seconds"] for p in peer_cal])) if peer_cal else None,
        "peer_sum_loop_ms": _num(statistics.median([p["t_sum_loop_ms"] for p in peer_cal])) if peer_cal else None,
        "how": "ideal = 0.7 s + N x t_sum / cores; Brigade's t_sum = (wall of N x sum_to 100000 on 1 worker - "
               "wall of N no-op tasks on 1 worker) / N, both without journal, measured in this run",
    }
    b = case["brigade"]["median_s"]
    x_ideal = ratio(b, ideal)
    case["targets"].append(target("makespan / ideal", x_ideal, 1.15, False,
                                  shown=f"{x_ideal:.2f}× (ideal {ideal:.3f} s)" if x_ideal else None))
    case["targets"].append(target("x faster than the best Python peer", case["ratio_vs_best_peer"], 10, True))
    pi = case["ideal"]["peer_ideal_s"]
    for name, s in case["peers"].items():
        s["x_ideal"] = ratio(s["median_s"], pi)


# ---------------------------------------------------------------------------------------
# W3: fetch from the loopback delay server, then a sha256 chain


def w3_fetch(suite):
    """W3 at each size in options.w3_sizes, against peers/delay_server.py. Ideal is the
    longest delay, 0.7 s; targets: <= 1.2 x ideal at 2,000 tasks, <= 1.5 x at 10,000, and
    digests identical to the peers'."""
    opt = suite.opt
    server = suite.server()
    cases = []
    for n in opt.w3_sizes:
        batch = batches.write_w3(suite.path(f"w3_{n}.jsonl"), server.base, n)
        # Thousands of slow answers at once from one host: the peers open a connection per
        # request, and so does Brigade when the per-host cap is lifted, which is what the
        # option is for. The default cap (polite to servers like nginx) is shown beside it.
        runners = [_with_server_stats(suite, suite.brigade_runner(
            "brigade", batch, cs.w3_checksum, extra_args=["--max-host-connections", "0"]))]
        variants = {}
        if not opt.smoke:
            runners.append(_with_server_stats(suite, suite.brigade_runner("brigade_default_cap", batch,
                                                                          cs.w3_checksum)))
            variants["with the default host cap (256 connections)"] = "brigade_default_cap"
        if opt.baseline_brigade:
            runners.append(_with_server_stats(suite, suite.brigade_runner(
                "brigade_baseline", batch, cs.w3_checksum, brigade=opt.baseline_brigade)))
            variants[opt.baseline_label or "baseline"] = "brigade_baseline"
        peer_args = ["--tasks", str(n), "--workers", str(opt.cores), "--base", server.base]
        runners.append(suite.peer_runner("percore", "w3_fetch.py", ["--runner", "percore", *peer_args]))
        if not opt.smoke:
            runners.append(suite.peer_runner("single_asyncio", "w3_fetch.py", ["--runner", "single", *peer_args]))
        results = suite.interleave(f"W3 {_fmt_n(n)}", runners)
        case = make_case(f"W3-{_fmt_n(n)}", "W3", f"W3 fetch + sha256 x 64, {n:,} tasks", n, results, "brigade",
                         [r.name for r in runners if r.kind == "peer"], variants=variants)
        case["notes"].append("Brigade runs with --max-host-connections 0 (no per-host cap), as the peers open "
                             "a connection per request; the variants use the default cap"
                             + (f" and the baseline build {opt.baseline_brigade}" if opt.baseline_brigade else ""))
        if opt.baseline_brigade:
            base = summarize(results["brigade_baseline"], n)
            case["targets"].append(target(f"time / {opt.baseline_label or 'baseline'}'s",
                                          ratio(case["brigade"]["median_s"], base["median_s"]), 1.0, False))
        case["ideal"] = {"ideal_s": 0.7, "how": "the longest delay (M_i < 700 ms)"}
        case["notes"].append(_w3_server_note(results))
        limit = {2000: 1.2, 10_000: 1.5}.get(n)
        if limit and not opt.smoke:
            x = ratio(case["brigade"]["median_s"], 0.7)
            case["targets"].append(target(f"makespan / ideal (0.7 s)", x, limit, False,
                                          shown=f"{x:.2f}× ({x * 0.7:.3f} s)" if x else None))
        case["targets"].append(target("digests equal the peers'", 1 if case["results_equal"] else 0, 1, True,
                                      shown="identical" if case["results_equal"] else "DIFFERENT", correctness=True))
        cases.append(case)
    return cases


# ---------------------------------------------------------------------------------------
# W3n: small static files from Debian's nginx with its default configuration


def w3n_nginx(suite):
    """W3n: options.w3n_tasks fetches of small static files (220-520 bytes) from a local
    nginx with Debian's default configuration (worker_connections 768 per worker), by
    `brigade run` with its defaults, against `curl -Z --parallel-max 200` over the same
    URLs. Targets: every task succeeds (the bytes equal curl's), time <= curl's."""
    opt = suite.opt
    title = f"W3n {opt.w3n_tasks:,} small files from nginx (Debian defaults)"
    if not nginx_server.program():
        return [not_available("W3n", "W3n", title, "nginx is not installed (apt-get install nginx-light)")]
    curl = shutil.which("curl")
    if not curl:
        return [not_available("W3n", "W3n", title, "curl is not installed")]
    n = opt.w3n_tasks
    prefix = suite.path("nginx")
    # nginx's workers run as nobody when the benchmark runs as root: let them through.
    os.chmod(opt.work_dir, os.stat(opt.work_dir).st_mode | 0o711)
    total = nginx_server.write_files(os.path.join(prefix, "www"), n)
    with nginx_server.Nginx(prefix) as server:
        suite.extra_own_pids = server.pids()
        suite.log(f"nginx at {server.base} (pids {suite.extra_own_pids})")
        urls = [f"{server.base}/files/f{i}.txt" for i in range(n)]
        batch = suite.path(f"w3n_{n}.txt")
        with open(batch, "w") as f:
            f.write("\n".join(urls) + "\n")
        config = suite.path(f"w3n_{n}.curl")
        with open(config, "w") as f:
            f.write('write-out = "%{http_code} %{size_download}\\n"\n')
            for u in urls:
                f.write(f'url = "{u}"\noutput = "/dev/null"\n')

        def bytes_checksum(recs):
            return f"{recs.succeeded}/{recs.count}:{recs.bytes_total}"

        def curl_run(rep):
            argv = [curl, "-s", "-Z", "--parallel-max", "200", "-K", config]
            m, rec = suite.measure(argv, "curl_Z", rep, suite.timeout(600))
            ok_lines = [line.split() for line in m.stdout.splitlines() if line.strip()]
            good = [int(b) for code, b in ok_lines if code == "200"]
            rec.update(rep=rep, seconds=m.wall_s, ok=m.rc == 0 and not m.timed_out,
                       checksum=f"{len(good)}/{len(ok_lines)}:{sum(good)}")
            return rec

        runners = [suite.brigade_runner("brigade", batch, bytes_checksum),
                   Runner("curl -Z --parallel-max 200", "peer", curl_run)]
        try:
            results = suite.interleave("W3n", runners)
        finally:
            suite.extra_own_pids = []
        errors = server.error_log()
    case = make_case("W3n", "W3n", title, n, results, "brigade", ["curl -Z --parallel-max 200"])
    expected = f"{n}/{n}:{total}"
    ok = all(r.get("checksum") == expected for r in results["brigade"])
    case["targets"].append(target("every task succeeded with the defaults", 1 if ok else 0, 1, True,
                                  shown="yes" if ok else f"NO ({case['brigade']['checksums']})", correctness=True))
    if not opt.smoke:
        case["targets"].append(target("x curl -Z --parallel-max 200", case["ratio_vs_best_peer"], 1.0, True))
    case["notes"].append(f"{n:,} files of 220-520 bytes ({total:,} bytes), one GET each; Brigade with its defaults "
                         f"(journal on), curl 7.88 -Z --parallel-max 200 -K (a config file of URLs, bodies to "
                         f"/dev/null); checksum = succeeded/tasks:bytes; nginx's CPU is not counted as foreign")
    if "worker_connections are not enough" in errors:
        case["notes"].append("nginx ran out of worker_connections during the runs")
    return [case]


def _median_of(records, key):
    """Median of a field over the successful runs; peer fields come from the peer's JSON line."""
    vals = [(r.get("peer") or r).get(key) for r in records if r.get("ok")]
    vals = [v for v in vals if v is not None]
    return _num(statistics.median(vals)) if vals else None


def _w3_server_note(results):
    """What the shared delay server saw per runner: it is one Python process, and its CPU
    time per request bounds every runner's makespan at 10,000 tasks."""
    parts = []
    for name, recs in results.items():
        parts.append(f"{name}: server CPU {_median_of(recs, 'server_cpu_s')} s, peak in-flight "
                     f"{_median_of(recs, 'server_peak_in_flight')}, retries {_median_of(recs, 'retries')}")
    return "delay server during the runs (medians): " + "; ".join(parts)


def _with_server_stats(suite, runner):
    """Wrap a Brigade runner so its record carries the server's peak in-flight requests
    (the peers report theirs themselves)."""
    inner = runner.run

    def run(rep):
        suite.server().stats(reset=True)
        rec = inner(rep)
        st = suite.server().stats()
        rec["server_peak_in_flight"] = st.get("peak_in_flight")
        rec["server_requests"] = st.get("requests")
        rec["server_cpu_s"] = st.get("cpu_s")
        return rec

    return Runner(runner.name, runner.kind, run)


# ---------------------------------------------------------------------------------------
# W4: CPU-bound tasks


def w4_cpu(suite):
    """W4 sha (id "peer-task-i", 1 + 200,000 rounds) and sum (sum_to 2,000,000), 200 tasks
    each; Brigade with 1 and 2 workers, the peer's 2-worker process pool and its
    sequential loop. Targets: speedup 2 workers / 1 worker >= 1.9; sha >= 2x and
    sum >= 20x faster than the 2-worker Python pool."""
    opt = suite.opt
    n = 20 if opt.smoke else 200
    sizes = {"sha": 2_000 if opt.smoke else 200_000, "sum": 20_000 if opt.smoke else 2_000_000}
    goals = {"sha": 2, "sum": 20}
    cases = []
    for kind in ("sha", "sum"):
        size = sizes[kind]
        path = suite.path(f"w4_{kind}.jsonl")
        batch = batches.write_w4_sha(path, n, size) if kind == "sha" else batches.write_sum(path, n, size)
        runners = [suite.brigade_runner("brigade_1w", batch, cs.w4_checksum, workers=1),
                   suite.brigade_runner("brigade_2w", batch, cs.w4_checksum, workers=2)]
        variants = {"1 worker": "brigade_1w"}
        if not opt.smoke:
            # The default --concurrency (8192) lets the first worker to start take every
            # task of a small batch; a cap of N / workers shows what 2 workers can do.
            cap = str(n // 2)
            runners.append(suite.brigade_runner("brigade_2w_capped", batch, cs.w4_checksum, workers=2,
                                                extra_args=["--concurrency", cap]))
            variants[f"2 workers, --concurrency {cap}"] = "brigade_2w_capped"
        peer_args = ["--kind", kind, "--tasks", str(n), "--size", str(size)]
        runners.append(suite.peer_runner("ppe_2w", "w4_cpu.py", ["--runner", "ppe", "--workers", "2", *peer_args]))
        if not opt.smoke:
            runners.append(suite.peer_runner("seq_1proc", "w4_cpu.py", ["--runner", "seq", *peer_args]))
        results = suite.interleave(f"W4 {kind}", runners)
        what = f"sha256 x {size + 1:,}" if kind == "sha" else f"sum_to {size:,}"
        case = make_case(f"W4-{kind}", "W4", f"W4 CPU {kind}, {n} tasks ({what}), 2 workers", n, results,
                         "brigade_2w", [r.name for r in runners if r.kind == "peer"],
                         variants=variants)
        one = case["brigade_variants"]["1 worker"]
        if not opt.smoke:
            speedup = ratio(one["median_s"], case["brigade"]["median_s"])
            case["targets"].append(target("speedup 2 workers / 1 worker", speedup, 1.9, True))
            vs_pool = ratio(case["peers"].get("ppe_2w", {}).get("median_s"), case["brigade"]["median_s"])
            case["targets"].append(target("x faster than the 2-worker Python pool", vs_pool, goals[kind], True))
            capped = case["brigade_variants"][f"2 workers, --concurrency {cap}"]
            case["notes"].append(
                f"tasks per worker with 2 workers: {_tasks_per_worker(results['brigade_2w'])} by default, "
                f"{_tasks_per_worker(results['brigade_2w_capped'])} with --concurrency {cap} (speedup over 1 "
                f"worker {_num(ratio(one['median_s'], capped['median_s']))}×, "
                f"{_num(ratio(case['peers'].get('ppe_2w', {}).get('median_s'), capped['median_s']))}× the "
                f"2-worker Python pool)")
        cases.append(case)
    return cases


# ---------------------------------------------------------------------------------------
# W6: one process per task (GNU parallel's home ground)


def w6_commands(suite):
    """W6: N runs of /bin/true as command tasks, 2 at once (the default: a worker per core,
    one compute slot each), journal on, against peers/w1_cmd.py's GNU parallel -j2 and
    xargs -P2. Brigade's time is the whole `brigade run`. At 10,000 also the command line's
    way in (`brigade run LIST -- /bin/true`). Targets at 10,000: >= 5x GNU parallel,
    >= 1.3x xargs -P2."""
    opt = suite.opt
    cases = []
    for n in ([200] if opt.smoke else [2000, 10_000]):
        batch = batches.write_w6(suite.path(f"w6_{n}.jsonl"), n)
        check = lambda r, n=n: cs.w6_checksum(r, n)
        runners = [suite.brigade_runner("brigade", batch, check, workers=2)]
        variants = {}
        if n >= 10_000:
            listing = suite.path(f"w6_{n}.txt")
            with open(listing, "w") as f:
                f.write("".join(f"{i}\n" for i in range(n)))
            runners.append(_cli_runner(suite, "brigade_cli", listing, ["/bin/true"], check))
            variants["brigade run LIST -- /bin/true"] = "brigade_cli"
        for peer in ("parallel", "xargs"):
            if shutil.which(peer):
                runners.append(suite.peer_runner(peer, "w1_cmd.py",
                                                 ["--runner", peer, "--jobs", str(n), "--procs", "2"]))
        results = suite.interleave(f"W6 {_fmt_n(n)}", runners)
        case = make_case(f"W6-{_fmt_n(n)}", "W6", f"W6 commands, {n:,} x /bin/true, 2 at once (journal on)",
                         n, results, "brigade", [r.name for r in runners if r.kind == "peer"],
                         metric="jobs/s", variants=variants)
        if n >= 10_000 and not opt.smoke:
            b = case["brigade"]["median_s"]
            for peer, goal in (("parallel", 5), ("xargs", 1.3)):
                theirs = case["peers"].get(peer, {}).get("median_s")
                case["targets"].append(target(f"x {peer} ({'-j2' if peer == 'parallel' else '-P2'})",
                                              ratio(theirs, b), goal, True,
                                              shown=None if theirs else f"n/a ({peer} not installed)"))
        cases.append(case)
    return cases


def _cli_runner(suite, name, listing, command, checksum_fn):
    """`brigade run LIST -- COMMAND`, journal on, its results read back from the journal."""
    return suite.brigade_runner(name, listing, checksum_fn, workers=2, extra_args=["--", *command])


# ---------------------------------------------------------------------------------------
# W7, W8: the user's own Python code in long-lived programs


def _aiomp_runnable(suite):
    """The aiomultiprocess peers need the package: AIOMP_PATH, or the unmodified copy in
    the peers' third_party/ (peerlib.load_aiomp looks there too)."""
    bundled = os.path.join(suite.opt.peers_dir, "third_party", "aiomultiprocess", "aiomultiprocess")
    return _aiomp_available() or os.path.isfile(os.path.join(bundled, "__init__.py"))


def w7_python(suite):
    """W7 (a): 100,000 calls of w1_noop.noop_sync(i) through a long-lived Python program per
    worker (the shipped helper, a plain function, up to 1,024 requests in flight), against
    w1_noop.py's aiomultiprocess-style pool and per-task run_in_executor; target >= 3x the
    pool. (b) 200 calls of peerlib.sum_loop(2,000,000) with 1 and 2 workers, against
    w4_cpu.py --kind sum's 2-worker process pool; targets: within 1.1x of the pool, 2-worker
    over 1-worker speedup >= 1.9."""
    opt = suite.opt
    cases = []
    n = 300 if opt.smoke else 100_000
    program = batches.write_program(suite.path("w7_noop.py"), opt.peers_dir,
                                    "from w1_noop import noop_sync\n"
                                    "brigade_program.serve(lambda args, body: noop_sync(args))\n")
    batch = batches.write_calls(suite.path("w7_noop.jsonl"), opt.python, program, range(n), 1024)
    runners = [suite.brigade_runner("brigade", batch, cs.count_sum_checksum, workers=2)]
    peer_args = ["--tasks", str(n), "--workers", "2"]
    if _aiomp_runnable(suite):
        runners.append(suite.peer_runner("aiomp_map", "w1_noop.py", ["--runner", "aiomp_map", *peer_args]))
    if not opt.smoke:
        runners.append(suite.peer_runner("ppe_executor", "w1_noop.py", ["--runner", "ppe_executor", *peer_args]))
    results = suite.interleave("W7 noop", runners)
    case = make_case("W7-noop", "W7", f"W7 (a) {n:,} calls of a Python no-op in a long-lived program", n,
                     results, "brigade", [r.name for r in runners if r.kind == "peer"], metric="tasks/s")
    if not opt.smoke:
        pool = case["peers"].get("aiomp_map", {}).get("median_s")
        case["targets"].append(target("x the aiomultiprocess-style pool", ratio(pool, case["brigade"]["median_s"]),
                                      3, True, shown=None if pool else "n/a (aiomultiprocess not found)"))
    cases.append(case)

    n, size = (10, 20_000) if opt.smoke else (200, 2_000_000)
    program = batches.write_program(suite.path("w7_sum.py"), opt.peers_dir,
                                    "from peerlib import sum_loop\n"
                                    "brigade_program.serve(lambda args, body: sum_loop(args))\n")
    batch = batches.write_calls(suite.path("w7_sum.jsonl"), opt.python, program, [size] * n, 32)
    runners = [suite.brigade_runner("brigade_1w", batch, cs.w4_checksum, workers=1),
               suite.brigade_runner("brigade_2w", batch, cs.w4_checksum, workers=2),
               suite.peer_runner("ppe_2w", "w4_cpu.py", ["--runner", "ppe", "--workers", "2", "--kind", "sum",
                                                         "--tasks", str(n), "--size", str(size)])]
    results = suite.interleave("W7 sum_loop", runners)
    case = make_case("W7-sum", "W7", f"W7 (b) {n} calls of peerlib.sum_loop({size:,}), 2 workers", n, results,
                     "brigade_2w", ["ppe_2w"], variants={"1 worker": "brigade_1w"})
    if not opt.smoke:
        b = case["brigade"]["median_s"]
        case["targets"].append(target("time / the 2-worker Python pool's", ratio(b, case["peers"]["ppe_2w"]["median_s"]),
                                      1.1, False))
        case["targets"].append(target("speedup 2 workers / 1 worker",
                                      ratio(case["brigade_variants"]["1 worker"]["median_s"], b), 1.9, True))
    cases.append(case)
    return cases


def w8_asyncio(suite):
    """W8: the one-loop-per-core asyncio recipe inside Brigade: 10,000 calls of
    w2_latency.py's own coroutine (await asyncio.sleep(d), then peerlib.sum_loop(100,000)),
    with the peer's sleeps (same seed, same order), through the helper's async path with
    up to 10,000 in flight per program, every call tracked and journaled. Against
    w2_latency.py's percore runner; target: makespan <= 1.1x its."""
    opt = suite.opt
    n = 200 if opt.smoke else 10_000
    program = batches.write_program(suite.path("w8_latency.py"), opt.peers_dir,
                                    "from w2_latency import task\n"
                                    "async def handle(args, body):\n"
                                    "    return (await task(args, 100_000))[0]\n"
                                    "brigade_program.serve(handle)\n")
    batch = batches.write_calls(suite.path("w8.jsonl"), opt.python, program, batches.w2_sleeps(n), 10_000)
    runners = [suite.brigade_runner("brigade", batch, cs.count_sum_checksum, workers=2),
               suite.peer_runner("percore", "w2_latency.py", ["--runner", "percore", "--tasks", str(n),
                                                              "--workers", "2"])]
    results = suite.interleave("W8", runners)
    case = make_case("W8", "W8", f"W8 asyncio recipe in Brigade, {n:,} coroutines (sleep 200-700 ms + "
                                 f"sum_loop 100,000)", n, results, "brigade", ["percore"])
    if not opt.smoke:
        case["targets"].append(target("makespan / the one-loop-per-core recipe's",
                                      ratio(case["brigade"]["median_s"], case["peers"]["percore"]["median_s"]),
                                      1.1, False))
    return [case]


# ---------------------------------------------------------------------------------------
# W5: MapReduce over an n-gram file

W5_SMOKE_MB = 3
W5_SMOKE_VOCAB = 10_000  # gen_ngram.py calibrates on every word: its default vocabulary costs seconds
W5_GEN_SEED = 1234  # gen_ngram.py's default, recorded in its .truth.json
# The textbook peer holds every line as a str (readlines) plus a copy per chunk sent to
# its pool: workloads.md measured 2.3 GB for 500 MB, i.e. ~4.6 bytes per byte of input.
W5_TEXTBOOK_BYTES_PER_BYTE = 5


def w5_mapreduce(suite):
    """W5: word totals (match_count per word) over an n-gram file from peers/gen_ngram.py,
    options.w5_mb MB (500 in a full run). Brigade runs a batch of one MapReduce line,
    timed as the whole `brigade run` (its summary on stdout gives distinct words, total,
    top 5 and Aardvark, i.e. everything the peers compute), and once more with
    --output totals.csv (every total written, then checked untimed). The peers'
    w5_mapreduce.py runners stream, textbook and awk run interleaved with it; before
    every run of anyone the driver reads the file once, untimed, so all of them read it
    from the page cache. Brigade's results are checked against the .truth.json of
    gen_ngram.py and, as the peers' checksum, against the peers'. Targets: >= 1 GB/s,
    >= 30x textbook, >= 20x mawk, peak RSS (tree) <= the streaming peer's."""
    opt = suite.opt
    title = f"W5 MapReduce, {opt.w5_mb:g} MB n-grams"
    missing = [f for f in ("gen_ngram.py", "w5_mapreduce.py") if not os.path.isfile(os.path.join(opt.peers_dir, f))]
    if missing:
        return [not_available("W5", "W5", title, f"peers {', '.join(missing)} not found in {opt.peers_dir}")]
    data, truth, how = _w5_data(suite)
    if data is None:
        return [not_available("W5", "W5", title, how)]
    size_mb = truth["bytes"] / 1e6
    batch = batches.write_w5(suite.path("w5.jsonl"), data)
    tmp = suite.path("w5_peer_tmp")
    os.makedirs(tmp, exist_ok=True)
    notes = [f"input {os.path.basename(data)}: {truth['bytes']:,} bytes, {truth['lines']:,} lines, "
             f"{truth['distinct_words']:,} distinct words ({how})",
             "before every run (Brigade's and each peer's) the driver reads the whole file once, untimed, so "
             "every runner reads it from the page cache; MB/s = file size (10^6 bytes) ÷ time"]
    runners = [_w5_brigade_runner(suite, "brigade", batch, data, output=False),
               _w5_brigade_runner(suite, "brigade_output", batch, data, output=True)]
    peer_args = ["--file", data, "--workers", str(opt.cores), "--tmpdir", tmp]

    def peer(name):
        runner = suite.peer_runner(name, "w5_mapreduce.py", ["--runner", name, *peer_args])
        return Runner(runner.name, runner.kind, _warming(runner.run, data))

    runners.append(peer("stream"))
    textbook_skip = _w5_textbook_skip(truth["bytes"])
    if textbook_skip:
        notes.append(f"the textbook peer was not run: {textbook_skip}")
    else:
        runners.append(peer("textbook"))
    if shutil.which("mawk"):
        runners.append(peer("awk"))
    else:
        notes.append("the awk peer was not run: mawk is not installed (apt-get install mawk)")
    results = suite.interleave(f"W5 {opt.w5_mb:g} MB", runners)
    case = make_case("W5", "W5", f"W5 MapReduce, {size_mb:,.0f} MB n-grams", None, results, "brigade",
                     [r.name for r in runners if r.kind == "peer"], metric="MB/s", notes=notes,
                     variants={"with --output totals.csv": "brigade_output"})
    for s in [case["brigade"], *case["brigade_variants"].values(), *case["peers"].values()]:
        s["mb_per_s"] = round(size_mb / s["median_s"], 1) if s["median_s"] else None
    _w5_checks(case, results, truth, opt.smoke)
    return [case]


def _w5_data(suite):
    """(path, truth, how it was made) of the n-gram file, or (None, None, why not).
    Generated once per work directory and reused from it when its .truth.json says it is
    complete: gen_ngram.py takes over a minute for 500 MB, and the file does not depend on
    anything but its size, vocabulary and seed."""
    opt = suite.opt
    args = ["--mb", f"{opt.w5_mb:g}", "--seed", str(W5_GEN_SEED)]
    if opt.smoke:
        args += ["--vocab", str(W5_SMOKE_VOCAB)]
    path = suite.path(f"w5_ngram_{opt.w5_mb:g}mb{'_smoke' if opt.smoke else ''}.tsv")
    truth = _w5_truth(path)
    if truth:
        return path, truth, f"gen_ngram.py {' '.join(args)}, reused from the work directory"
    argv = [opt.python, os.path.join(opt.peers_dir, "gen_ngram.py"), *args, "--out", path]
    suite.log(f"W5: generating {path} ({opt.w5_mb:g} MB)")
    t0 = time.perf_counter()
    log = os.path.join(suite.logs_dir, "w5_gen_ngram")
    with open(log + ".out", "wb") as out, open(log + ".err", "wb") as err:
        try:
            rc = subprocess.run(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                timeout=suite.timeout(3600)).returncode
        except subprocess.TimeoutExpired:
            rc = "timed out"
    secs = time.perf_counter() - t0
    truth = _w5_truth(path)
    if rc != 0 or not truth:
        with open(log + ".err", errors="replace") as f:
            return None, None, f"gen_ngram.py failed ({rc}): {f.read()[-300:]}"
    return path, truth, f"generated by gen_ngram.py {' '.join(args)} in {secs:.1f} s"


def _w5_truth(path):
    """The .truth.json beside path when it describes path as it is now, else None."""
    try:
        with open(path + ".truth.json") as f:
            truth = json.load(f)
        ok = truth.get("bytes") == os.path.getsize(path) and truth.get("seed") == W5_GEN_SEED
    except (OSError, ValueError):
        return None
    return truth if ok else None


def _w5_textbook_skip(size):
    """Why the textbook peer cannot run on a file of `size` bytes here, or None. Only
    memory stops it: it would push the machine into swap (or be killed) and measure
    that, not the peer."""
    avail = _mem_available()
    need = size * W5_TEXTBOOK_BYTES_PER_BYTE
    if avail is not None and need > avail:
        return (f"it holds ~{W5_TEXTBOOK_BYTES_PER_BYTE}× the file in memory (~{need / 1e9:.1f} GB) and only "
                f"{avail / 1e9:.1f} GB are available")
    return None


def _mem_available():
    """MemAvailable of /proc/meminfo in bytes, or None."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return None


def _warming(run, path):
    """A run function that first brings path into the page cache (untimed)."""

    def warmed(rep):
        procs.warm_page_cache(path)
        return run(rep)

    return warmed


def _w5_brigade_runner(suite, name, batch, data, *, output):
    """`brigade run BATCH --progress none` (plus --output NAME.csv when output): the
    record's checksum is the peers' W5 checksum rebuilt from the summary Brigade prints,
    or from the totals file, read untimed after the run."""

    def run(rep):
        procs.warm_page_cache(data)
        argv = [suite.opt.brigade, "run", batch, "--progress", "none"]
        out_path = suite.path(f"{name}.rep{rep}.csv") if output else None
        if out_path:
            _remove(out_path)
            argv += ["--output", out_path]
        m, rec = suite.measure(argv, name, rep, suite.timeout(600))
        rec.update(rep=rep, seconds=m.wall_s, ok=(m.rc == 0 and not m.timed_out), checksum=None)
        summary = cs.parse_mapreduce_summary(m.stdout)
        rec["job"] = {k: summary.get(k) for k in ("mb", "lines", "chunks", "job_s", "job_mb_per_s", "bad_lines")}
        if not rec["ok"]:
            suite.log(f"{name} rep {rep}: brigade exited {m.rc} (timed out: {m.timed_out}): {m.stderr[-600:]}")
        elif output:
            rec["checksum"] = cs.w5_checksum_from_totals(out_path)
        else:
            rec["checksum"] = cs.w5_checksum_from_summary(summary)
        _remove(out_path)
        return rec

    return Runner(name, "brigade", run)


def _w5_checks(case, results, truth, smoke):
    """W5's correctness check (Brigade's results equal gen_ngram.py's truth) and, in a
    full run, its targets; notes on Brigade's own speed figure and on RSS."""
    expected = cs.w5_truth_checksum(truth)
    mine = set(case["brigade"]["checksums"]) | {c for v in case["brigade_variants"].values() for c in v["checksums"]}
    case["truth"] = {"checksum": expected, "aardvark_total": truth["aardvark_total"], "top5": truth["top5"],
                     "distinct_words": truth["distinct_words"], "total_count": truth["total_count"]}
    case["truth_equal"] = mine == {expected}
    case["targets"].append(target("Aardvark, top 5, distinct words, total equal .truth.json", int(case["truth_equal"]),
                                  1, True, shown="equal" if case["truth_equal"] else f"DIFFERENT ({sorted(mine)})",
                                  correctness=True))
    jobs = [r["job"] for r in results["brigade"] if r.get("ok") and r.get("job", {}).get("job_mb_per_s")]
    if jobs:
        case["notes"].append(
            f"Brigade's own figure for the job (from its summary: batch loaded to totals, without process start "
            f"and exit): {statistics.median(j['job_mb_per_s'] for j in jobs):,.0f} MB/s, "
            f"{statistics.median(j['chunks'] for j in jobs):.0f} chunks")
    case["notes"].append("peak RSS is the sampled sum over each process tree (Brigade: `brigade` + its workers); "
                         "a worker's share includes the pages of the input it has memory-mapped at that moment")
    if smoke:
        return
    b = case["brigade"]
    peers = case["peers"]
    rate = b.get("mb_per_s")
    case["targets"].append(target("MB/s over the whole job", rate, 1000, True,
                                  shown=f"{rate:,.0f} MB/s" if rate else None))
    for name, what, goal in (("textbook", "x textbook MapReduce", 30), ("awk", "x mawk", 20)):
        if name in peers:
            case["targets"].append(target(what, ratio(peers[name]["median_s"], b["median_s"]), goal, True))
        else:
            case["targets"].append(target(what, None, goal, True, shown="n/a (not run, see the notes)"))
    limit = (peers.get("stream") or {}).get("tree_rss_peak_mb")
    mine_rss = b.get("tree_rss_peak_mb")
    if limit:
        case["targets"].append(target("peak RSS, tree (MB) vs the streaming peer's", mine_rss, limit, False,
                                      shown=f"{mine_rss:.0f} MB (stream {limit:.0f} MB)" if mine_rss else None))


# ---------------------------------------------------------------------------------------
# G1: the desktop window at scale

# A private X server: the same 1400x900 screen every run, nothing shown on a user's desktop.
G1_XVFB = 'xvfb-run -a -s "-screen 0 1400x900x24" env BRIGADE_BENCH_REPORT={report} {brigade} {batch}'
G1_DISPLAY = "env BRIGADE_BENCH_REPORT={report} {brigade} {batch}"


def g1_command(environ=os.environ):
    """(template, how it was chosen) for running the window, or (None, why there is none).
    BRIGADE_BENCH_G1 overrides (e.g. another launcher or a real display); otherwise
    xvfb-run when it is installed (with xauth, which it needs), else the current display."""
    if environ.get("BRIGADE_BENCH_G1"):
        return environ["BRIGADE_BENCH_G1"], "BRIGADE_BENCH_G1"
    if shutil.which("xvfb-run") and shutil.which("xauth"):
        return G1_XVFB, "xvfb-run"
    display = environ.get("WAYLAND_DISPLAY") or environ.get("DISPLAY")
    if display:
        return G1_DISPLAY, f"the current display ({display})"
    why = "xvfb-run is installed but xauth is not" if shutil.which("xvfb-run") else "xvfb-run is not installed"
    return None, (f"no display to run the window on: DISPLAY and WAYLAND_DISPLAY are unset and {why} "
                  "(apt-get install xvfb xauth, or set BRIGADE_BENCH_G1)")


def g1_window(suite):
    """G1: options.g1_tasks no-op tasks (1,000,000 in a full run) in the desktop window.
    The window's benchmark entry point (ui/window/WindowBenchmark.h) does it all: run as
    `brigade BATCH` with BRIGADE_BENCH_REPORT=PATH it loads the batch, runs it to the end,
    sorts and filters the table with a GUI-thread stall probe running, writes PATH as JSON
    and quits. The command comes from g1_command(); BRIGADE_BENCH_G1 may name another, a
    template with {brigade}, {batch} and {report}. Targets: longest stall <= 50 ms, the
    GUI process's peak RSS (from its report, not the tree, which also holds Xvfb and the
    workers) <= 400 MB, load <= 2 s."""
    n = 1000 if suite.opt.smoke else suite.opt.g1_tasks
    what = "realistic lines (each its own id)" if suite.opt.g1_batch == "real" else "all-{} lines"
    title = f"G1 window, {n:,} no-op tasks, {what}"
    template, how = g1_command()
    if template is None:
        return [not_available("G1", "G1", title, how)]
    return [_g1_run(suite, template, how, n, title)]


def _g1_runner(suite, template, batch):
    """One run of the window command; the record keeps the window's JSON report."""

    def run(rep):
        report = suite.path(f"g1.rep{rep}.json")
        _remove(report)
        values = {k: shlex.quote(v) for k, v in (("brigade", suite.opt.brigade), ("batch", batch), ("report", report))}
        argv = shlex.split(template.format(**values))
        m, rec = suite.measure(argv, "g1", rep, suite.timeout(900))
        try:
            with open(report) as f:
                window = json.load(f)
        except (OSError, ValueError):
            window = None
        ok = m.rc == 0 and not m.timed_out and window is not None and not window.get("error")
        rec.update(rep=rep, seconds=m.wall_s, window=window, ok=ok,
                   checksum=f"{window.get('succeeded')}:{window.get('failed')}" if window else None)
        if not ok:
            why = (window or {}).get("error") or m.stderr[-600:]
            suite.log(f"g1 rep {rep}: exited {m.rc} (timed out: {m.timed_out}), report "
                      f"{'written' if window else 'missing'}: {why}")
        return rec

    return Runner("brigade", "brigade", run)


def _g1_run(suite, template, how, n, title):
    """The G1 case: the window's figures (medians over the runs; peak RSS the largest)."""
    batch = batches.W1_BATCHES[suite.opt.g1_batch](suite.path(f"g1_{suite.opt.g1_batch}_{n}.jsonl"), n)
    results = suite.interleave(f"G1 {_fmt_n(n)}", [_g1_runner(suite, template, batch)])
    records = results["brigade"]
    case = make_case("G1", "G1", title, n, results, "brigade", [])
    good = [r["window"] for r in records if r["ok"]]

    def med(key):
        vals = [w[key] for w in good if w.get(key) is not None]
        return _num(statistics.median(vals)) if vals else None

    def med_phase(phase):
        vals = [w["phases"][phase]["longest_stall_ms"] for w in good if phase in w.get("phases", {})]
        return _num(statistics.median(vals)) if vals else None

    gui_rss = max((w["gui_peak_rss_mb"] for w in good if w.get("gui_peak_rss_mb") is not None), default=None)
    worst = max(good, key=lambda w: w.get("longest_stall_ms") or 0, default={})
    tree = case["brigade"]["tree_rss_peak_mb"]
    case["window"] = {
        "how": how, "command": template,
        "longest_stall_ms": med("longest_stall_ms"), "longest_stall_ms_max": _num(worst.get("longest_stall_ms")),
        "longest_stall_phase_max": worst.get("longest_stall_phase"), "p99_stall_ms": med("p99_stall_ms"),
        "load_s": med("load_s"), "run_s": med("run_s"), "sort_duration_ms": med("sort_duration_ms"),
        "sort_id_ms": med("sort_id_ms"), "filter_text_ms": med("filter_text_ms"),
        "gui_peak_rss_mb": _num(gui_rss), "gui_rss_loaded_mb": med("gui_rss_loaded_mb"), "tree_rss_peak_mb": tree,
        "timeline_frames": med("timeline_frames"), "timeline_render_max_ms": med("timeline_render_max_ms"),
        "attempt_log_mb": med("attempt_log_mb"), "timeline_zoom_steps_ms": med("timeline_zoom_steps_ms"),
        "timeline_stall_ms": med_phase("timeline"),
    }
    w = case["window"]
    all_done = bool(good) and len(good) == len(records) and all(
        g.get("succeeded") == n and g.get("failed") == 0 for g in good)
    case["targets"].append(target(f"all {n:,} tasks succeeded in the window", int(all_done), 1, True,
                                  shown="yes" if all_done else f"NO ({case['brigade']['checksums']})",
                                  correctness=True))
    case["notes"].append(
        f"run with {how}: `{template}`. Brigade's time is that whole command (X server and window start, load, "
        f"run, the table sorted twice and filtered, exit); the window's own figures (medians): load "
        f"{_fig(w['load_s'], 's')}, run {_fig(w['run_s'], 's')}, sort by duration "
        f"{_fig(w['sort_duration_ms'], 'ms')}, by id {_fig(w['sort_id_ms'], 'ms')}, text filter "
        f"{_fig(w['filter_text_ms'], 'ms')}; longest stall of any run "
        f"{_fig(w['longest_stall_ms_max'], 'ms')} (phase: {w['longest_stall_phase_max']})")
    case["notes"].append(
        f"the Timeline dock is open through the run: {_fig(w['timeline_frames'], 'frames')} drawn off the GUI "
        f"thread, the slowest in {_fig(w['timeline_render_max_ms'], 'ms')}; the attempt log it draws from holds "
        f"{_fig(w['attempt_log_mb'], 'MB')}; zoomed in six times by half and out again over every attempt "
        f"(each step's frame drawn before the next) in {_fig(w['timeline_zoom_steps_ms'], 'ms')}, longest GUI "
        f"stall meanwhile {_fig(w['timeline_stall_ms'], 'ms')}")
    case["notes"].append(
        f"RSS: the GUI process peaked at {_fig(gui_rss, 'MB')} (VmHWM, from its report; "
        f"{_fig(w['gui_rss_loaded_mb'], 'MB')} once the batch was loaded); the whole tree (launcher, X "
        f"server, GUI and workers, sampled sum) at {_fig(tree, 'MB')}")
    if not suite.opt.smoke:
        stall, load = w["longest_stall_ms"], w["load_s"]
        case["targets"] += [
            target("longest GUI-thread stall (ms)", stall, 50, False, shown=f"{stall:.1f} ms" if stall is not None
                   else None),
            target("GUI process peak RSS (MB)", gui_rss, 400, False,
                   shown=f"{gui_rss:.0f} MB (tree {tree:.0f} MB)" if gui_rss is not None and tree else None),
            target("batch load (s)", load, 2, False, shown=f"{load:.2f} s" if load is not None else None)]
    return case


def _fig(x, unit):
    """'12.3 ms', or '–' when the figure is missing (a failed run)."""
    if x is None:
        return "–"
    return f"{x:,.0f} {unit}" if abs(x) >= 100 else f"{x:.3g} {unit}"


def _remove(path):
    if path and os.path.exists(path):
        os.remove(path)
