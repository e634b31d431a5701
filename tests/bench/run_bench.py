#!/usr/bin/env python3
"""Brigade's benchmark suite: Brigade against the peers of ../shared/peers, one command.

  python3 tests/bench/run_bench.py --build build                       # everything
  python3 tests/bench/run_bench.py --build build --workloads W1,W3 --reps 5
  python3 tests/bench/run_bench.py --build build --smoke               # what ctest runs

Starts the peers' loopback delay server, writes Brigade batch files with the peers'
seeds, runs Brigade's headless CLI and the peers interleaved (A B A B ...), checks that
Brigade's results equal the peers' (peer-style checksums rebuilt from Brigade's
--output records), and writes OUT/report.json and OUT/report.md (medians, ratios,
targets met or missed, peak RSS, machine, date and command). See tests/bench/README.md.

--smoke: a few hundred tasks per workload (W5: a 3 MB file; G1: 1,000 tasks in the window
under xvfb-run), one repetition, correctness only (no timing targets), well under a minute; prints "SKIP: ..." and exits 0 when python3's peers are
not there. Exit status: 0 when every run succeeded and every result matched the
peers' (a missed timing target is reported, not an error), 1 otherwise, 2 for bad usage.
"""
import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

from benchlib import checksums, machine, procs, report, workloads  # noqa: E402
from benchlib.report import NOT_AVAILABLE  # noqa: E402
from benchlib.suite import Options, Suite  # noqa: E402

ALL_WORKLOADS = ["W1", "W1REAL", "LOAD", "W2", "W3", "W3N", "W4", "W5", "W6", "W7", "W8", "G1"]
PEER_SCRIPTS = ["peerlib.py", "delay_server.py", "w1_noop.py", "w2_latency.py", "w3_fetch.py", "w4_cpu.py",
                "w1_cmd.py"]


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(REPO, "build"), help="build directory (default: <repo>/build)")
    ap.add_argument("--brigade", help="the brigade executable (default: BUILD/bin/brigade)")
    ap.add_argument("--peers", default=os.environ.get("BRIGADE_BENCH_PEERS", os.path.join(REPO, "..", "shared", "peers")),
                    help="the peers directory (default: $BRIGADE_BENCH_PEERS or <repo>/../shared/peers)")
    ap.add_argument("--python", default="/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable,
                    help="interpreter for the peers, with python3-aiohttp (default: /usr/bin/python3)")
    ap.add_argument("--workloads", default=",".join(ALL_WORKLOADS),
                    help=f"comma-separated subset of {','.join(ALL_WORKLOADS)} (default: all)")
    ap.add_argument("--reps", type=int, default=3, help="interleaved repetitions (default 3; --smoke: 1)")
    ap.add_argument("--journal-reps", type=int, default=9,
                    help="W1 pairs with and without the journal, for its share of throughput (default 9)")
    ap.add_argument("--out", default=os.path.join(HERE, "results"),
                    help="where report.json and report.md go (default: tests/bench/results)")
    ap.add_argument("--work-dir", help="batches, outputs, journals and logs (default: a new temporary directory)")
    ap.add_argument("--keep-work", action="store_true", help="keep the work directory (logs of every run)")
    ap.add_argument("--smoke", action="store_true", help="tiny sizes, 1 repetition, correctness only")
    ap.add_argument("--quiet-wait", type=float, default=0.0, metavar="S",
                    help="before each run, wait up to S seconds for other load to drop below 0.25 cores")
    ap.add_argument("--w1-batch", choices=sorted(workloads.batches.W1_BATCHES), default="real",
                    help='W1\'s batch: "real", lines {"id": "n<i>", "compute": {"op": "sum_to", "n": 0}} (default), '
                         'or "empty", all-{} lines with the op in the defaults line')
    ap.add_argument("--g1-batch", choices=sorted(workloads.batches.W1_BATCHES), default="real",
                    help="G1's batch, as --w1-batch (default real)")
    ap.add_argument("--w1-sizes", default="100000,1000000", help="W1 task counts (default 100000,1000000)")
    ap.add_argument("--w3-sizes", default="2000,10000", help="W3 task counts (default 2000,10000)")
    ap.add_argument("--w3n-tasks", type=int, default=10_000,
                    help="W3n: small files fetched from a local nginx (default 10000; --smoke: 300)")
    ap.add_argument("--baseline-brigade", metavar="PATH",
                    help="another build's brigade (with its brigade-worker beside it), run beside this one in "
                         "W3 and W1REAL, e.g. a build of main to compare a change with")
    ap.add_argument("--baseline-label", default=None,
                    help="how the report names the baseline build (default: its git commit)")
    ap.add_argument("--scaling-sizes", default="1000,10000,100000,1000000",
                    help="W1 sizes for the per-task growth table (default 1000,10000,100000,1000000)")
    ap.add_argument("--w5-mb", type=float, default=500.0,
                    help="size of W5's n-gram file in MB (default 500; --smoke: 3); generated once per work "
                         "directory and reused from it")
    ap.add_argument("--g1-tasks", type=int, default=1_000_000,
                    help="no-op tasks G1 runs in the window (default 1000000; --smoke: 1000)")
    ap.add_argument("--render", metavar="REPORT_JSON",
                    help="only rewrite report.md beside REPORT_JSON from it (no runs)")
    a = ap.parse_args(argv)
    a.workloads = [w.strip().upper() for w in a.workloads.split(",") if w.strip()]
    unknown = [w for w in a.workloads if w not in ALL_WORKLOADS]
    if unknown:
        ap.error(f"unknown workload(s) {', '.join(unknown)}; choose from {', '.join(ALL_WORKLOADS)}")
    return a


def sizes(text):
    return [int(x) for x in text.split(",") if x.strip()]


def skip(reason):
    """The one way out when the peers cannot run here: ctest shows the test as skipped."""
    print(f"SKIP: {reason}", flush=True)
    sys.exit(0)


def check_prerequisites(a):
    """Brigade must be built (an error if not); the peers and their Python must exist
    (a skip if not, so a machine without them can still run ctest)."""
    brigade = os.path.abspath(a.brigade or os.path.join(a.build, "bin", "brigade"))
    if not os.access(brigade, os.X_OK):
        sys.exit(f"run_bench: no brigade executable at {brigade} (build first, or pass --build/--brigade)")
    peers = os.path.abspath(a.peers)
    missing = [s for s in PEER_SCRIPTS if not os.path.isfile(os.path.join(peers, s))]
    if missing:
        skip(f"peers not found in {peers} (missing {', '.join(missing)}); set BRIGADE_BENCH_PEERS or --peers")
    if not os.access(a.python, os.X_OK):
        skip(f"no Python interpreter for the peers at {a.python}")
    return brigade, peers


def peers_have_aiohttp(python):
    """W3's peer and the delay server need python3-aiohttp."""
    return subprocess.run([python, "-c", "import aiohttp"], capture_output=True).returncode == 0


def self_check_digest(python, peers_dir):
    """Our re-implementation of peerlib.digest_list must give peerlib's answer, or every
    W3/W4 comparison would be meaningless. Runs peerlib itself on two samples."""
    samples = [["9f86d081884c7d65", "2c26b46b68ffc68f", "fcde2b2edba56bf4"], [5000050000, 12, 7]]
    code = ("import json, sys; sys.path.insert(0, sys.argv[1]); import peerlib; "
            "print(json.dumps([peerlib.digest_list(s) for s in json.loads(sys.argv[2])]))")
    out = subprocess.run([python, "-c", code, peers_dir, json.dumps(samples)], capture_output=True, text=True)
    if out.returncode != 0:
        return f"could not run peerlib.digest_list: {out.stderr[-300:]}"
    theirs = json.loads(out.stdout)
    ours = [checksums.digest_list(s) for s in samples]
    return None if ours == theirs else f"digest_list differs from peerlib's: ours {ours}, peerlib {theirs}"


def cmake_cache(brigade):
    """Selected entries of the CMakeCache.txt beside bin/ (empty if there is none)."""
    cache = os.path.join(os.path.dirname(os.path.dirname(brigade)), "CMakeCache.txt")
    found = {}
    try:
        with open(cache) as f:
            for line in f:
                for key in ("CMAKE_BUILD_TYPE", "BRIGADE_SANITIZE", "CMAKE_HOME_DIRECTORY"):
                    if line.startswith(key + ":"):
                        found[key] = line.split("=", 1)[1].strip()
    except OSError:
        pass
    return found


def build_type(cache):
    """'RelWithDebInfo' (plus sanitizers), for the report."""
    if not cache:
        return "build type unknown"
    text = cache.get("CMAKE_BUILD_TYPE") or "no build type"
    return text + (f", sanitize={cache['BRIGADE_SANITIZE']}" if cache.get("BRIGADE_SANITIZE") else "")


def snapshot_binaries(brigade, work_dir, name="bin"):
    """Copy brigade and brigade-worker (which brigade finds beside itself) into the work
    directory and run those: on a shared machine someone may rebuild the build tree
    during a 15-minute run, and a half-linked binary must not become a benchmark result."""
    bin_dir = os.path.join(work_dir, name)
    os.makedirs(bin_dir, exist_ok=True)
    build = os.path.dirname(os.path.dirname(brigade))
    for src in (os.path.join(os.path.dirname(brigade), "brigade"),
                os.path.join(os.path.dirname(brigade), "brigade-worker"),
                os.path.join(build, "tests", "bench", "parse_bench")):  # LOAD
        if os.path.exists(src):
            shutil.copy2(src, os.path.join(bin_dir, os.path.basename(src)))
    # Data files (the Python helper of programs) are found at <bin>/../share/brigade.
    share = os.path.join(os.path.dirname(os.path.dirname(brigade)), "share", "brigade")
    if os.path.isdir(share):
        shutil.copytree(share, os.path.join(work_dir, "share", "brigade"), dirs_exist_ok=True)
    return os.path.join(bin_dir, "brigade")


def make_options(a, brigade, peers, work_dir, baseline=None, baseline_label=None):
    smoke = a.smoke
    return Options(brigade=brigade, repo_dir=REPO, peers_dir=peers, python=a.python, work_dir=work_dir,
                   out_dir=os.path.abspath(a.out), reps=1 if smoke else a.reps, smoke=smoke,
                   quiet_wait_s=a.quiet_wait, keep_logs=a.keep_work, cores=os.cpu_count() or 2,
                   w1_sizes=[300] if smoke else sizes(a.w1_sizes),
                   w3_sizes=[200] if smoke else sizes(a.w3_sizes),
                   scaling_sizes=[] if smoke else sizes(a.scaling_sizes),
                   w5_mb=workloads.W5_SMOKE_MB if smoke else a.w5_mb, g1_tasks=a.g1_tasks,
                   journal_reps=a.journal_reps, w3n_tasks=300 if smoke else a.w3n_tasks,
                   baseline_brigade=baseline, baseline_label=baseline_label, w1_batch=a.w1_batch,
                   g1_batch=a.g1_batch)


def run_workloads(suite, chosen, aiohttp_ok):
    """Run the chosen workloads in a fixed order; returns (cases, scaling)."""
    cases, scaling, rates = [], None, {}
    if "W1" in chosen:
        w1 = workloads.w1_noop(suite, rates)
        cases += w1
        if suite.opt.scaling_sizes:
            scaling = workloads.w1_scaling(suite, w1)
    if "W1REAL" in chosen:
        cases += workloads.w1_real(suite)
    if "LOAD" in chosen:
        cases += workloads.load_batches(suite)
    if "W2" in chosen:
        cases += workloads.w2_latency(suite)
    if "W3" in chosen:
        if aiohttp_ok:
            cases += workloads.w3_fetch(suite)
        else:
            cases.append(workloads.not_available("W3", "W3", "W3 fetch + sha256",
                                                 "python3-aiohttp is missing (the delay server and peer need it)"))
    if "W3N" in chosen:
        cases += workloads.w3n_nginx(suite)
    if "W4" in chosen:
        cases += workloads.w4_cpu(suite)
    if "W5" in chosen:
        cases += workloads.w5_mapreduce(suite)
    if "W6" in chosen:
        cases += workloads.w6_commands(suite)
    if "W7" in chosen:
        cases += workloads.w7_python(suite)
    if "W8" in chosen:
        cases += workloads.w8_asyncio(suite)
    if "G1" in chosen:
        cases += workloads.g1_window(suite)
    return cases, scaling


def problems_of(cases, scaling):
    """Failures that make the exit status 1: a run that failed or results that differ."""
    out = []
    for c in cases:
        if c["status"] in NOT_AVAILABLE:
            continue
        if c["status"] == "failed":
            out.append(f"{c['id']}: Brigade's runs failed")
        for t in c["targets"]:
            if t.get("correctness") and t["met"] is False:
                out.append(f"{c['id']}: {t['what']}: {t['shown']}")
        for name, s in c["peers"].items():
            if s["reps_ok"] < s["reps"]:
                out.append(f"{c['id']}: peer {name} failed {s['reps'] - s['reps_ok']} of {s['reps']} runs")
        if c["results_equal"] is False:
            out.append(f"{c['id']}: results differ: Brigade {c['brigade']['checksums']} vs peers "
                       + ", ".join(f"{n} {s['checksums']}" for n, s in c["peers"].items()))
    if scaling:
        for r in scaling["rows"]:
            if any(not x.startswith(f"{r['tasks']}:") for x in r["checksums"]):
                out.append(f"W1 scaling {r['tasks']}: wrong results {r['checksums']}")
    return out


def missed_targets(cases):
    """One sentence per missed target: by how much."""
    out = []
    for c in cases:
        for t in c["targets"]:
            if t["met"] is False and t["value"] is not None:
                if t["higher_is_better"]:
                    by = f"{(t['limit'] - t['value']) / t['limit']:.0%} below the target"
                else:
                    by = f"{(t['value'] - t['limit']) / t['limit']:.0%} over the limit"
                op = "≥" if t["higher_is_better"] else "≤"
                out.append(f"{c['id']} {t['what']}: {t['shown']} against {op} {report.fmt_limit(t['limit'])} ({by})")
    return out


def max_foreign(cases):
    fr = [r.get("foreign_cpu_frac") or 0 for c in cases for runs in (c.get("runs") or {}).values() for r in runs]
    return max(fr, default=0.0)


def main(argv=None):
    a = parse_args(argv if argv is not None else sys.argv[1:])
    if a.render:
        return render_only(a.render)
    brigade, peers = check_prerequisites(a)
    started = time.time()
    work_dir = os.path.abspath(a.work_dir) if a.work_dir else tempfile.mkdtemp(prefix="brigade-bench-")
    procs.raise_fd_limit()
    aiohttp_ok = peers_have_aiohttp(a.python)
    digest_problem = self_check_digest(a.python, peers)
    baseline, baseline_label = None, None
    if a.baseline_brigade:
        source = os.path.abspath(a.baseline_brigade)
        if not os.access(source, os.X_OK):
            sys.exit(f"run_bench: no brigade executable at {source} (--baseline-brigade)")
        baseline = snapshot_binaries(source, work_dir, "bin-baseline")
        home = cmake_cache(source).get("CMAKE_HOME_DIRECTORY")
        baseline_label = a.baseline_label or f"baseline build {(home and machine.git_describe(home)) or source}"
    suite = Suite(make_options(a, snapshot_binaries(brigade, work_dir), peers, work_dir, baseline, baseline_label))
    suite.log(f"brigade {brigade}; peers {peers}; work dir {work_dir}; load {os.getloadavg()[0]:.2f}")
    cache = cmake_cache(brigade)
    # The commit of the source tree the binaries were built from (a build of a clean
    # checkout elsewhere reports that checkout's commit, not this tree's).
    info = machine.describe(cache.get("CMAKE_HOME_DIRECTORY") or REPO, a.python)
    try:
        cases, scaling = run_workloads(suite, a.workloads, aiohttp_ok)
    finally:
        suite.close()
    problems = problems_of(cases, scaling) + ([digest_problem] if digest_problem else [])
    command = shlex.join(["python3", os.path.relpath(os.path.abspath(__file__), os.getcwd()), *(argv or sys.argv[1:])])
    doc = {
        "command": command, "machine": info, "build": build_type(cache), "smoke": a.smoke,
        "reps": suite.opt.reps, "workloads": a.workloads, "cases": cases, "scaling": scaling,
        "missed": missed_targets(cases), "problems": problems, "ok": not problems,
        "max_foreign_cpu_frac": max_foreign(cases), "loadavg_at_end": [round(x, 2) for x in os.getloadavg()],
        "duration_s": round(time.time() - started, 1), "work_dir": work_dir if a.keep_work else None,
        "notes": ["smoke run: a few hundred tasks per workload (W5: a 3 MB file, G1: 1,000 tasks), one "
                  "repetition; only correctness is checked, the times mean nothing"] if a.smoke else [],
    }
    jpath, mpath = report.write(doc, suite.opt.out_dir)
    print(report.markdown(doc))
    print(f"report: {jpath} and {mpath}")
    for p in problems:
        print(f"PROBLEM: {p}")
    if not a.keep_work and not a.work_dir:  # only what we created
        _remove_tree(work_dir)
    return 0 if not problems else 1


def render_only(json_path):
    """Rewrite report.md from an existing report.json (after a change to the table's layout)."""
    with open(json_path) as f:
        doc = json.load(f)
    _, mpath = report.write(doc, os.path.dirname(os.path.abspath(json_path)))
    print(f"wrote {mpath}")
    return 0


def _remove_tree(path):
    shutil.rmtree(path, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
