"""Run one command and measure it the way a user experiences it.

Every benchmarked program (Brigade or a peer) is a process tree: Brigade's `brigade run`
plus one `brigade-worker` per core, a Python peer plus its pool processes. What a user
pays for is the whole tree, so that is what is measured:

- wall time from just before the fork to the moment the top process exits;
- CPU time (user + system) of the top process and of every descendant it waited for,
  from wait4(); plus the split between the top process itself ("engine") and its
  children ("workers"), read from its /proc/PID/stat while it is a zombie (waitid with
  WNOWAIT keeps it there until we have read it);
- peak RSS of the largest single process (wait4's ru_maxrss, what `/usr/bin/time -v`
  reports) and the peak of the sum of RSS over the tree, sampled from /proc (this
  over-counts pages shared between processes);
- the CPU used by everything else on the machine during the run ("foreign" CPU, a
  fraction of cores x wall), because these machines are shared and noisy.

Stdlib only, Linux only.
"""
import dataclasses
import os
import resource
import signal
import subprocess
import threading
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
NCPU = os.cpu_count() or 1


@dataclasses.dataclass
class Measurement:
    """What one run of one command cost; every field is JSON-serialisable."""

    argv: list
    rc: int
    timed_out: bool
    wall_s: float
    cpu_s: float  # the whole waited-for tree, from wait4
    self_cpu_s: float  # the top process alone (e.g. Brigade's engine + CLI), clock-tick resolution
    children_cpu_s: float  # its waited-for children (e.g. the workers), clock-tick resolution
    maxrss_mb: float  # the largest single process of the tree
    tree_rss_peak_mb: float  # peak of the sum over the tree (sampled)
    foreign_cpu_frac: float  # other tenants' CPU during the run / (cores x wall)
    loadavg_before: float
    stdout: str = ""
    stderr: str = ""

    def summary(self):
        """The fields worth keeping in a report (no captured output)."""
        d = dataclasses.asdict(self)
        d.pop("stdout")
        d["stderr_tail"] = d.pop("stderr")[-400:]
        d["argv"] = " ".join(str(a) for a in self.argv)
        return d


def raise_fd_limit():
    """Soft RLIMIT_NOFILE up to the hard limit: 10,000 open connections need 10,000 fds.

    Used as preexec_fn, i.e. in the child between fork and exec (we never start a child
    while another thread of ours runs, so that is safe)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def cpu_busy_s():
    """Non-idle CPU seconds of the whole machine since boot (from /proc/stat)."""
    with open("/proc/stat") as f:
        vals = [int(v) for v in f.readline().split()[1:]]
    idle = vals[3] + (vals[4] if len(vals) > 4 else 0)
    return (sum(vals[:8]) - idle) / CLK_TCK


def process_cpu_s(pid):
    """CPU seconds (user + system) of one live process, or None if it is gone."""
    stat = _read_stat(pid)
    return None if stat is None else (stat[11] + stat[12]) / CLK_TCK


def _read_stat(pid):
    """Fields of /proc/PID/stat after the command name (index 0 is the state)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            s = f.read()
    except OSError:
        return None
    rest = s[s.rfind(")") + 2 :].split()
    return [rest[0]] + [int(x) for x in rest[1:]]


def _children(pid):
    """Direct children of pid, from every thread (a child belongs to the thread that forked it)."""
    out = []
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                out.extend(int(c) for c in f.read().split())
        except OSError:
            pass
    return out


def tree_rss_bytes(root):
    """Sum of resident memory over root and all its descendants, now."""
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/statm") as f:
                total += int(f.read().split()[1]) * PAGE
        except (OSError, ValueError, IndexError):
            continue
        todo.extend(_children(pid))
    return total


class _RssSampler(threading.Thread):
    """Samples the tree's summed RSS: every 20 ms for the first 2 s (short runs must be
    seen at all), every 100 ms after that (so the sampling itself costs little CPU on a
    2-core machine)."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.stop = threading.Event()

    def run(self):
        t0 = time.perf_counter()
        while not self.stop.is_set():
            self.peak = max(self.peak, tree_rss_bytes(self.pid))
            self.stop.wait(0.02 if time.perf_counter() - t0 < 2 else 0.1)


def _kill_group(pgid, fired):
    """SIGTERM the command's process group, SIGKILL it 5 s later if anything is left."""
    fired.set()
    try:
        os.killpg(pgid, signal.SIGTERM)
    except ProcessLookupError:
        return
    time.sleep(5)
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def measure(argv, *, timeout_s, log_prefix, cwd=None, env=None, extra_own_pids=()):
    """Run argv to completion and return a Measurement.

    stdout/stderr go to LOG_PREFIX.out/.err (files, not pipes: nothing can block on a
    full pipe while we wait). extra_own_pids are processes outside the tree that work
    for this run (the delay server): their CPU is not counted as foreign."""
    load_before = os.getloadavg()[0]
    own_before = {p: process_cpu_s(p) or 0.0 for p in extra_own_pids}
    with open(log_prefix + ".out", "w+b") as out, open(log_prefix + ".err", "w+b") as err:
        busy0 = cpu_busy_s()
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL, cwd=cwd,
                                env=env, start_new_session=True, preexec_fn=raise_fd_limit)
        sampler = _RssSampler(proc.pid)
        sampler.start()
        fired = threading.Event()
        timer = threading.Timer(timeout_s, _kill_group, args=(proc.pid, fired))
        timer.daemon = True
        timer.start()
        os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)  # exited, not yet reaped
        wall = time.perf_counter() - t0
        timer.cancel()
        timed_out = fired.is_set()
        zombie = _read_stat(proc.pid)
        _, status, usage = os.wait4(proc.pid, 0)
        busy = cpu_busy_s() - busy0
        proc.returncode = os.waitstatus_to_exitcode(status)
        sampler.stop.set()
        sampler.join()
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode(errors="replace")
        stderr = err.read().decode(errors="replace")
    cpu = usage.ru_utime + usage.ru_stime
    self_cpu = (zombie[11] + zombie[12]) / CLK_TCK if zombie else None
    children_cpu = (zombie[13] + zombie[14]) / CLK_TCK if zombie else None
    own_extra = sum((process_cpu_s(p) or 0.0) - own_before[p] for p in extra_own_pids)
    # /proc/stat counts in 10 ms ticks: clamp the rounding of short runs into [0, 1].
    foreign = min(1.0, max(0.0, busy - cpu - own_extra) / (NCPU * wall)) if wall > 0 else 0.0
    return Measurement(argv=list(argv), rc=proc.returncode, timed_out=timed_out, wall_s=round(wall, 4),
                       cpu_s=round(cpu, 3), self_cpu_s=self_cpu, children_cpu_s=children_cpu,
                       maxrss_mb=round(usage.ru_maxrss / 1024, 1),
                       # a run shorter than the first sample still had its largest process
                       tree_rss_peak_mb=round(max(sampler.peak / 2**20, usage.ru_maxrss / 1024), 1),
                       foreign_cpu_frac=round(foreign, 3),
                       loadavg_before=round(load_before, 2), stdout=stdout, stderr=stderr)


def wait_until_quiet(max_wait_s, threshold_cores=0.25, window_s=2):
    """Wait (at most max_wait_s) until the rest of the machine uses < threshold_cores
    for window_s consecutive seconds; returns the seconds waited. Lets a benchmark run
    avoid someone else's compile instead of measuring it."""
    if max_wait_s <= 0:
        return 0.0
    t0 = time.time()
    calm, last = 0, cpu_busy_s()
    while time.time() - t0 < max_wait_s:
        time.sleep(1.0)
        cur = cpu_busy_s()
        calm = calm + 1 if cur - last < threshold_cores else 0
        last = cur
        if calm >= window_s:
            break
    return round(time.time() - t0, 1)


def warm_page_cache(path, block=1 << 24):
    """Read path once so that the next reader finds it in the page cache. One reused
    buffer: the driver's own memory does not grow with the file."""
    buf = bytearray(block)
    with open(path, "rb", buffering=0) as f:
        while f.readinto(buf):
            pass
