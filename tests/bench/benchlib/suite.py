"""The benchmark harness: how Brigade and the peers are run, interleaved and summarised.

Workload modules describe *what* to run (batch files, peer arguments, targets); this
module owns *how*: one measured process per run, Brigade and the peers alternating
(A B A B ...) so a burst of noise on this shared machine hits both sides, and medians
over the repetitions.
"""
import dataclasses
import json
import os
import statistics
import sys
import typing

from . import procs
from .checksums import Records
from .server import DelayServer


@dataclasses.dataclass
class Options:
    """Everything a workload needs to know about this invocation of the suite."""

    brigade: str
    repo_dir: str
    peers_dir: str
    python: str
    work_dir: str
    out_dir: str
    reps: int
    smoke: bool
    quiet_wait_s: float
    keep_logs: bool
    cores: int
    w1_sizes: list
    w3_sizes: list
    scaling_sizes: list
    w5_mb: float = 500.0
    journal_reps: int = 9
    g1_tasks: int = 1_000_000
    w3n_tasks: int = 10_000
    baseline_brigade: str = None  # another build's brigade, measured beside this one (W3, W1REAL)
    baseline_label: str = None
    w1_batch: str = "real"  # batches.W1_BATCHES: W1, its scaling table and the fixed cost
    g1_batch: str = "real"


@dataclasses.dataclass
class Runner:
    """One contender in a case: `run(rep)` does one measured run and returns its record
    (a dict with at least "seconds", "checksum" and "ok"). `kind` is "brigade", "peer" or
    "calibration" (runs that only feed an ideal, never compared)."""

    name: str
    kind: str
    run: typing.Callable[[int], dict]


class Suite:
    """Shared state of one benchmark invocation: options, the delay server, logging."""

    def __init__(self, options: Options):
        self.opt = options
        self._server = None
        self.extra_own_pids = []  # other servers working for the runs (W3n's nginx)
        os.makedirs(options.work_dir, exist_ok=True)
        self.logs_dir = os.path.join(options.work_dir, "logs")
        os.makedirs(self.logs_dir, exist_ok=True)

    # -- infrastructure -----------------------------------------------------------------

    def log(self, msg):
        """Progress on stderr, so a long run shows what it is doing."""
        print(f"[bench] {msg}", file=sys.stderr, flush=True)

    def server(self):
        """The delay server, started on first use and stopped by close()."""
        if self._server is None:
            self._server = DelayServer(self.opt.python, self.opt.peers_dir, self.opt.work_dir).__enter__()
            self.log(f"delay server at {self._server.base} (pid {self._server.pid})")
        return self._server

    def close(self):
        if self._server is not None:
            self._server.__exit__(None, None, None)
            self._server = None

    def path(self, name):
        """A file in the work directory."""
        return os.path.join(self.opt.work_dir, name)

    def timeout(self, full_s):
        """Per-run limit: generous in a full run, tight in the smoke test (which must end in < 60 s)."""
        return min(full_s, 45) if self.opt.smoke else full_s

    def measure(self, argv, label, rep, timeout_s):
        """procs.measure with this suite's logging, quiet-wait and server bookkeeping."""
        waited = procs.wait_until_quiet(self.opt.quiet_wait_s)
        own = ((self._server.pid,) if self._server else ()) + tuple(self.extra_own_pids)
        m = procs.measure(argv, timeout_s=timeout_s, log_prefix=os.path.join(self.logs_dir, f"{label}.rep{rep}"),
                          env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"), extra_own_pids=own)
        rec = m.summary()
        rec["quiet_wait_s"] = waited
        return m, rec

    # -- the two kinds of contender -------------------------------------------------------

    def run_brigade(self, batch, label, rep, *, workers=None, journal=True, output=False, extra_args=(),
                    timeout_s=600, brigade=None):
        """One `brigade run` of batch. The journal is on (a fresh file in the work directory)
        unless journal=False: a user gets it by default, so it is measured. output=True adds
        --output FILE to the timed run. Returns (Measurement, run record, journal path or
        None, output path or None); the caller removes the files."""
        argv = [brigade or self.opt.brigade, "run", batch, "--progress", "none", "--seed", "1"]
        if workers:
            argv += ["--workers", str(workers)]
        # "-- PROG ARG..." (brigade run LIST -- PROG) must stay last.
        extra_args = list(extra_args)
        command = extra_args[extra_args.index("--"):] if "--" in extra_args else []
        argv += extra_args[:len(extra_args) - len(command)]
        journal_path = self.path(f"{label}.rep{rep}.journal") if journal else None
        _remove(journal_path)
        argv += ["--journal", journal_path] if journal else ["--no-journal"]
        out_path = self.path(f"{label}.rep{rep}.jsonl") if output else None
        if out_path:
            _remove(out_path)
            argv += ["--output", out_path]
        argv += command
        m, rec = self.measure(argv, label, rep, self.timeout(timeout_s))
        rec.update(rep=rep, seconds=m.wall_s, ok=(m.rc == 0 and not m.timed_out))
        if not rec["ok"]:
            self.log(f"{label} rep {rep}: brigade exited {m.rc} (timed out: {m.timed_out}): {m.stderr[-600:]}")
        return m, rec, journal_path, out_path

    def export_journal(self, journal_path, label, rep, brigade=None):
        """`brigade export JOURNAL -o FILE` (not timed): the results as the journal recorded
        them, which checks that every task really was journaled."""
        out_path = self.path(f"{label}.rep{rep}.export.jsonl")
        _remove(out_path)
        m, _ = self.measure([brigade or self.opt.brigade, "export", journal_path, "--output", out_path],
                            f"{label}.export",
                            rep, self.timeout(600))
        if m.rc != 0:
            self.log(f"{label} rep {rep}: brigade export exited {m.rc}: {m.stderr[-600:]}")
            return None
        return out_path

    def brigade_runner(self, name, batch, checksum_fn, *, workers=None, journal=True, output=False,
                       extra_args=(), keep_results=True, timeout_s=600, brigade=None):
        """A Runner for Brigade whose record carries the peer-style checksum of its results
        (checksum_fn(Records) -> str), computed after the timed run. The timed run writes
        only the journal (as a user's run does by default) unless output=True (or there is
        no journal); the results are then read back with `brigade export` from the
        journal, untimed. checksum_fn=None runs with neither journal nor output unless
        asked (to measure what they cost); such a run is only checked by its exit status
        (0: every task succeeded)."""
        output = output or (not journal and checksum_fn is not None)

        def run(rep):
            m, rec, journal_path, out_path = self.run_brigade(batch, name, rep, workers=workers, journal=journal,
                                                              output=output, extra_args=extra_args,
                                                              timeout_s=timeout_s, brigade=brigade)
            results_path = out_path
            if rec["ok"] and not output and checksum_fn:
                results_path = self.export_journal(journal_path, name, rep, brigade=brigade)
            rec["checksum"] = None
            if rec["ok"] and results_path and checksum_fn:
                recs = Records(results_path, keep_results=keep_results)
                rec["checksum"] = checksum_fn(recs)
                rec["tasks_per_worker"] = recs.tasks_per_worker()
                rec["retries"] = recs.attempts_total - recs.count
                if recs.failures:
                    rec["failures"] = recs.failures
            for path in {journal_path, out_path, results_path}:
                _remove(path)
            return rec

        return Runner(name, "brigade", run)

    def peer_runner(self, name, script, args, *, kind="peer", timeout_s=600, server_stats=False):
        """A Runner for one peer script. Its record keeps the peer's own JSON line; "seconds"
        is the peer's own timing (pool start to shutdown, without interpreter start-up),
        which is the figure in workloads.md and is kinder to the peer than our wall time."""

        def run(rep):
            argv = [self.opt.python, os.path.join(self.opt.peers_dir, script), *args]
            m, rec = self.measure(argv, name, rep, self.timeout(timeout_s))
            peer = _last_json_line(m.stdout)
            rec.update(rep=rep, peer=peer, seconds=peer.get("seconds") if peer else None,
                       checksum=peer.get("checksum") if peer else None,
                       ok=bool(peer) and m.rc == 0 and not m.timed_out)
            if not rec["ok"]:
                self.log(f"{name} rep {rep}: peer exited {m.rc} (timed out: {m.timed_out}): {m.stderr[-600:]}")
            return rec

        return Runner(name, kind, run)

    # -- running a case -----------------------------------------------------------------

    def interleave(self, case_id, runners, reps=None, first_rep=1):
        """Run every runner `reps` times as A B C A B C ...; returns {name: [records]}.
        Repetitions are numbered from first_rep (more of a case keep their own numbers)."""
        reps = reps or self.opt.reps
        results = {r.name: [] for r in runners}
        for rep in range(first_rep, first_rep + reps):
            for r in runners:
                rec = r.run(rep)
                results[r.name].append(rec)
                self.log(f"{case_id} rep {rep}/{first_rep + reps - 1} {r.name}: {_fmt_s(rec.get('seconds'))} "
                         f"checksum {rec.get('checksum')} rss {rec.get('tree_rss_peak_mb')} MB "
                         f"foreign CPU {rec.get('foreign_cpu_frac')}")
        return results


def summarize(records, tasks=None):
    """Median/min/max of the successful runs and the memory peaks, for the report."""
    good = [r for r in records if r.get("ok") and r.get("seconds") is not None]
    secs = [r["seconds"] for r in good]
    out = {
        "reps_ok": len(good),
        "reps": len(records),
        "median_s": statistics.median(secs) if secs else None,
        "min_s": min(secs) if secs else None,
        "max_s": max(secs) if secs else None,
        "checksums": sorted({str(r.get("checksum")) for r in records}),
        "maxrss_mb": max((r["maxrss_mb"] for r in good), default=None),
        "tree_rss_peak_mb": max((r["tree_rss_peak_mb"] for r in good), default=None),
        "cpu_s_median": statistics.median([r["cpu_s"] for r in good]) if good else None,
        "foreign_cpu_frac_max": max((r["foreign_cpu_frac"] for r in records), default=None),
    }
    if tasks and out["median_s"]:
        out["tasks_per_s"] = round(tasks / out["median_s"], 1)
    return out


def checksums_agree(brigade_summary, peer_summaries):
    """True when every Brigade run and every peer run produced one and the same checksum."""
    seen = set(brigade_summary["checksums"])
    for s in peer_summaries:
        seen |= set(s["checksums"])
    return len(seen) == 1 and "None" not in seen


def _last_json_line(text):
    for line in reversed(text.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                pass
    return None


def _remove(path):
    if path and os.path.exists(path):
        os.remove(path)


def _fmt_s(x):
    return "FAILED" if x is None else f"{x:.3f} s"
