"""The JSON report and the Markdown table a user reads.

The JSON keeps every run (so a number in the table can be traced to the process that
produced it); the Markdown keeps what a reader needs: per case Brigade's median, the
peers' medians, the ratio, the target and whether it was met, peak RSS, whether the
results were equal, and the machine, date and command it was measured with.
"""
import json
import os

# A case that could not be measured: "not available" (here: no display, no aiohttp, ...);
# reports written before W5 and G1 existed say "not yet available".
NOT_AVAILABLE = ("not available", "not yet available")


def write(report, out_dir):
    """report.json and report.md in out_dir; returns their paths."""
    os.makedirs(out_dir, exist_ok=True)
    jpath = os.path.join(out_dir, "report.json")
    mpath = os.path.join(out_dir, "report.md")
    with open(jpath, "w") as f:
        json.dump(report, f, indent=1, default=str)
        f.write("\n")
    with open(mpath, "w") as f:
        f.write(markdown(report))
    return jpath, mpath


# ---------------------------------------------------------------------------------------
# formatting


def fmt_s(x):
    if x is None:
        return "–"
    return f"{x:.3f} s" if x < 10 else f"{x:.1f} s"


def fmt_rate(x):
    if not x:
        return "–"
    return f"{x / 1e6:.2f} M/s" if x >= 1e6 else f"{x / 1e3:.1f} k/s"


def fmt_x(x):
    if x is None:
        return "–"
    return f"{x:.2f}×" if x < 100 else f"{x:.0f}×"


def fmt_limit(x):
    """1000000 -> '1,000,000', 1.15 -> '1.15'."""
    return f"{int(x):,}" if float(x).is_integer() else f"{x:g}"


def fmt_mb(x):
    return "–" if x is None else f"{x:.0f} MB"


def _rate(case, s):
    """', 1.09 M/s' or ', 1,234 MB/s' for throughput workloads, '' for the others."""
    if case.get("metric") == "tasks/s":
        return f", {fmt_rate(s.get('tasks_per_s'))}"
    if case.get("metric") == "MB/s":
        return f", {s['mb_per_s']:,.0f} MB/s" if s.get("mb_per_s") else ", –"
    return ""


def _time_cell(case, s):
    """'median (min–max)' plus the rate for throughput workloads."""
    if not s or s.get("median_s") is None:
        return "FAILED"
    return f"{fmt_s(s['median_s'])} ({fmt_s(s['min_s'])[:-2]}–{fmt_s(s['max_s'])}){_rate(case, s)}"


def _peer_cell(case, name, s):
    if s.get("median_s") is None:
        return f"{name}: FAILED"
    extra = _rate(case, s)
    if s.get("x_ideal"):
        extra += f", {s['x_ideal']:.2f}× its ideal"
    return f"{name}: {fmt_s(s['median_s'])}{extra}"


def _ratio_cell(r):
    if r is None:
        return "–"
    return f"{fmt_x(r)} faster" if r >= 1 else f"{fmt_x(r)} ({1 / r:.1f}× slower)"


def _targets_cells(case):
    if case["status"] in NOT_AVAILABLE:
        return "see workloads.md", case["status"]
    if not case["targets"]:
        return "–", "–"
    what, met = [], []
    for t in case["targets"]:
        op = "≥" if t["higher_is_better"] else "≤"
        what.append(t["what"] if t.get("correctness") else f"{t['what']} {op} {fmt_limit(t['limit'])}")
        shown = t["shown"] if t["shown"] is not None else "–"
        if t["met"] is None:
            met.append(shown if str(shown).startswith("n/a") else f"n/a ({shown})")
        elif t["met"]:
            met.append(f"met ({shown})")
        else:
            met.append(f"**missed** ({shown})")
    return "<br>".join(what), "<br>".join(met)


# ---------------------------------------------------------------------------------------
# the document


def markdown(report):
    m = report["machine"]
    lines = [
        f"### Benchmark results, {m['date']}",
        "",
        f"Machine: {m['cpu_model']}, {m['cores']} cores, {m['memory_gb']} GB RAM, {m['os']}, Linux {m['kernel']}; "
        f"peers on {m['peer_python']}; Brigade {m['brigade_commit']} ({report['build']}).",
        f"Command: `{report['command']}` ({report['reps']} interleaved repetitions, medians; "
        f"{report['duration_s'] / 60:.1f} min). Load average at start {m['loadavg_at_start'][0]}, "
        f"at end {report['loadavg_at_end'][0]}; largest share of CPU used by other processes during "
        f"a measured run: {report['max_foreign_cpu_frac']:.0%}.",
        "",
        "Brigade's time is the whole `brigade run` process (start, batch parse, journal on, workers, exit; no "
        "`--output` file unless said); a peer's is its own figure (pool start to shutdown, without interpreter "
        "start-up). Ratios are peer time ÷ Brigade time (for W1, Brigade's tasks/s ÷ the peer's). The W1 peers "
        "`mp_imap_cs1000`/`ppe_map_cs1000` hand out 1,000 tasks at a time and track nothing per task. W5's MB/s "
        "is the file's size (10^6 bytes) ÷ that time; G1's time is the whole window command (see its notes).",
        "",
        "| case | Brigade median (min–max) | best peer | other peers | Brigade vs best peer | target | met? "
        "| peak RSS Brigade (tree / largest process) | peak RSS best peer (tree) | results equal peers' |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for case in report["cases"]:
        lines.append(_row(case))
    lines += _scaling_section(report.get("scaling"))
    lines += _notes_section(report)
    return "\n".join(lines) + "\n"


def _row(case):
    what, met = _targets_cells(case)
    if case["status"] in NOT_AVAILABLE:
        return f"| {case['title']} | {case['status']}: {case['why']} | – | – | – | {what} | {met} | – | – | – |"
    b = case["brigade"]
    bp = case.get("best_peer")
    peers = case["peers"]
    others = "<br>".join(_peer_cell(case, n, s) for n, s in peers.items() if n != bp) or "–"
    best = _peer_cell(case, bp, peers[bp]) if bp else "–"
    brig = _time_cell(case, b)
    for label, v in (case.get("brigade_variants") or {}).items():
        brig += f"<br>{label}: {fmt_s(v['median_s'])}{_rate(case, v)}"
    jc = case.get("journal_cost")
    if jc:
        off = jc["without_journal"]
        brig += (f"<br>without journal: {fmt_s(off['median_s'])}, {fmt_rate(off.get('tasks_per_s'))} "
                 f"(journal costs {jc['cost']:.1%}, paired by repetition)")
    rss = f"{fmt_mb(b.get('tree_rss_peak_mb'))} / {fmt_mb(b.get('maxrss_mb'))}"
    w = case.get("window")
    if w:  # G1: the GUI process is what the target is about; the tree also holds the X server
        brig += (f"<br>load {_fig(w.get('load_s'), 's')}, run {_fig(w.get('run_s'), 's')}, longest stall "
                 f"{_fig(w.get('longest_stall_ms'), 'ms')}, p99 {_fig(w.get('p99_stall_ms'), 'ms')}")
        rss = (f"GUI process {fmt_mb(w.get('gui_peak_rss_mb'))}; tree {fmt_mb(b.get('tree_rss_peak_mb'))} "
               f"(with the X server and workers)")
    prss = fmt_mb(peers[bp].get("tree_rss_peak_mb")) if bp else "–"
    eq = {True: "yes", False: "**NO**", None: "–"}[case.get("results_equal")]
    return (f"| {case['title']} | {brig} | {best} | {others} | {_ratio_cell(case.get('ratio_vs_best_peer'))} "
            f"| {what} | {met} | {rss} | {prss} | {eq} |")


def _fig(x, unit):
    return "–" if x is None else f"{x:.3g} {unit}"


def _scaling_section(sc):
    if not sc or not sc.get("rows"):
        return []
    lines = ["", "Per-task overhead and growth (W1 no-op tasks, journal on, no --output file; medians):", "",
             "| tasks | makespan | wall µs/task | tasks/s | CPU µs/task: total = engine + workers | peak RSS (tree) |",
             "|---|---|---|---|---|---|"]
    for r in sc["rows"]:
        cpu = (f"{r.get('cpu_us_per_task', 0):.2f} = {r.get('engine_cpu_us_per_task', 0):.2f} + "
               f"{r.get('worker_cpu_us_per_task', 0):.2f}") if "cpu_us_per_task" in r else "–"
        lines.append(f"| {r['tasks']:,} | {fmt_s(r['median_s'])} | {r.get('wall_us_per_task', 0):.2f} "
                     f"| {fmt_rate(r.get('tasks_per_s'))} | {cpu} | {fmt_mb(r['tree_rss_peak_mb'])} |")
    steps = "; ".join(f"{s['from']:,} → {s['to']:,}: time per task ×{s['per_task_growth']:.2f}, "
                      f"marginal {s['marginal_us_per_task']:.2f} µs/task" for s in sc["steps"])
    verdict = {True: "linear or better", False: "**worse than linear**", None: "not measured"}[sc["linear_or_better"]]
    fc = sc.get("fixed_cost") or {}
    lines += ["", f"Growth: {verdict} ({steps}).",
              f"Fixed cost of one `brigade run` (a 1-task batch): {fmt_s(fc.get('journal_on_s'))} with the journal, "
              f"{fmt_s(fc.get('journal_off_s'))} without.",
              "Engine CPU is the `brigade` process (batch parse, scheduling, journal, output file); worker CPU the "
              "`brigade-worker` processes; both from the kernel's accounting at exit (10 ms ticks)."]
    return lines


def _notes_section(report):
    lines = ["", "Notes:", ""]
    for case in report["cases"]:
        ideal = case.get("ideal")
        if ideal and ideal.get("brigade_ideal_s"):
            lines.append(f"- {case['id']}: Brigade's ideal {ideal['brigade_ideal_s']:.3f} s, with one sum_to 100,000 "
                         f"= {ideal['brigade_sum_to_100000_us']:.1f} µs ({ideal['how']}); "
                         f"the peers' ideal {fmt_s(ideal.get('peer_ideal_s'))} from their calib runner "
                         f"(one Python loop = {ideal.get('peer_sum_loop_ms')} ms).")
        for n in case.get("notes", []):
            lines.append(f"- {case['id']}: {n}")
    for miss in report.get("missed", []):
        lines.append(f"- missed: {miss}")
    for n in report.get("notes", []):
        lines.append(f"- {n}")
    return lines if len(lines) > 3 else []
