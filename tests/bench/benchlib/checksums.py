"""Peer-style checksums computed from Brigade's --output records.

Each peer prints a `checksum` of its results (see the peer scripts). Computing the same
string from Brigade's records turns "Brigade's results equal the peers'" into a string
comparison. The formats, as the peers define them:

- W1 (w1_noop.py):      "count:sum"  of the results (task i returns i)
- W2 (w2_latency.py):   "count:sum"  of the results (each sum 0..100,000)
- W3 (w3_fetch.py):     "count:bytes:digest_list(hex digests)"  over successful tasks
- W4 (w4_cpu.py):       "count:digest_list(results)"  (hex digests or sums)

digest_list (peerlib.py) is an order-independent digest: SHA-256 over the sorted items,
each as UTF-8 text followed by a NUL byte, first 16 hex digits. It is re-implemented
here from that description (the peers are run, never copied); the smoke test checks it
against peerlib's own on a sample so the two cannot drift apart.
"""
import hashlib
import json

from .batches import W1_FIRST_LINE


def digest_list(items):
    """Order-independent digest of strings/ints, in peerlib.digest_list's format."""
    h = hashlib.sha256()
    for x in sorted(items):
        h.update(x if isinstance(x, bytes) else str(x).encode())
        h.update(b"\0")
    return h.hexdigest()[:16]


class Records:
    """Brigade's output records of one run, reduced to what the checksums need.

    Streams the file once (1M records are ~140 MB of JSON), keeping per-task results
    only when asked to."""

    def __init__(self, path, keep_results=True):
        self.count = 0
        self.succeeded = 0
        self.ids = []
        self.results = []
        self.bytes_total = 0
        self.attempts_total = 0
        self.failures = []  # (id, status, error) of the first few tasks that did not succeed
        self.workers = {}
        with open(path, "rb") as f:
            for line in f:
                self._add(json.loads(line), keep_results)

    def _add(self, rec, keep_results):
        self.count += 1
        self.ids.append(rec["id"])
        self.attempts_total += rec.get("attempts") or 0
        self.workers[rec.get("worker")] = self.workers.get(rec.get("worker"), 0) + 1
        if rec["status"] != "succeeded":
            if len(self.failures) < 5:
                self.failures.append((rec["id"], rec["status"], rec.get("error")))
            return
        self.succeeded += 1
        self.bytes_total += rec.get("bytes") or 0
        if keep_results:
            self.results.append(rec["result"])

    def tasks_per_worker(self):
        """Tasks per worker, largest first (load balance), like the peers' pid histogram."""
        return sorted(self.workers.values(), reverse=True)


def w1_checksum(recs, n_expected):
    """"count:sum(i)" where task i is the one on line i + W1_FIRST_LINE; every result must be 0
    and every task must appear exactly once, or the checksum says what is wrong."""
    if recs.succeeded != recs.count:
        return f"FAILED:{recs.count - recs.succeeded} tasks did not succeed, e.g. {recs.failures[:1]}"
    if any(r != 0 for r in recs.results):
        return "WRONG:a no-op task returned a result other than 0"
    indices = [int(i) - W1_FIRST_LINE for i in recs.ids]
    if len(set(indices)) != len(indices) or recs.count != n_expected:
        return f"WRONG:{recs.count} records, {len(set(indices))} distinct tasks, expected {n_expected}"
    return f"{recs.count}:{sum(indices)}"


def count_sum_checksum(recs):
    """W2's "count:sum" over successful results."""
    return f"{recs.succeeded}:{sum(int(r) for r in recs.results)}"


def w3_checksum(recs):
    """W3's "count:bytes:digest" over successful tasks."""
    return f"{recs.succeeded}:{recs.bytes_total}:{digest_list(recs.results)}"


def w4_checksum(recs):
    """W4's "count:digest" over all results (the peer has no failures to leave out)."""
    return f"{recs.succeeded}:{digest_list(recs.results)}"
