"""Peer-style checksums computed from Brigade's --output records.

Each peer prints a `checksum` of its results (see the peer scripts). Computing the same
string from Brigade's records turns "Brigade's results equal the peers'" into a string
comparison. The formats, as the peers define them:

- W1 (w1_noop.py):      "count:sum"  of the results (task i returns i)
- W2 (w2_latency.py):   "count:sum"  of the results (each sum 0..100,000)
- W3 (w3_fetch.py):     "count:bytes:digest_list(hex digests)"  over successful tasks
- W4 (w4_cpu.py):       "count:digest_list(results)"  (hex digests or sums)
- W5 (w5_mapreduce.py): first 16 hex digits of SHA-256 over
                        "distinct:total:aardvark:w1=c1,w2=c2,...,w5=c5" (the top 5,
                        largest first, ties by word); Brigade's comes from the summary
                        it prints, or from its --output totals CSV

digest_list (peerlib.py) is an order-independent digest: SHA-256 over the sorted items,
each as UTF-8 text followed by a NUL byte, first 16 hex digits. It is re-implemented
here from that description (the peers are run, never copied); the smoke test checks it
against peerlib's own on a sample so the two cannot drift apart.
"""
import csv
import hashlib
import json
import re

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


def w1_ids_checksum(recs, n_expected):
    """W1 with ids "n<i>": "count:sum(i)", every task succeeded and seen exactly once."""
    if recs.succeeded != recs.count:
        return f"FAILED:{recs.count - recs.succeeded} tasks did not succeed, e.g. {recs.failures[:1]}"
    indices = [int(i[1:]) for i in recs.ids]
    if len(set(indices)) != len(indices) or recs.count != n_expected:
        return f"WRONG:{recs.count} records, {len(set(indices))} distinct tasks, expected {n_expected}"
    return f"{recs.count}:{sum(indices)}"


def w1_real_checksum(recs, n_expected):
    """W1's realistic batch (ids "n<i>", sum_to 0): "count:sum(i)" as the peers give it;
    every result must be 0 and every task seen exactly once."""
    if recs.succeeded == recs.count and any(r != 0 for r in recs.results):
        return "WRONG:a no-op task returned a result other than 0"
    return w1_ids_checksum(recs, n_expected)


def w1_batch_checksum(kind):
    """The checksum of a W1 batch by name (batches.W1_BATCHES)."""
    return w1_real_checksum if kind == "real" else w1_checksum


def count_sum_checksum(recs):
    """W2's "count:sum" over successful results."""
    return f"{recs.succeeded}:{sum(int(r) for r in recs.results)}"


def w6_checksum(recs, n_expected):
    """w1_cmd.py's "jobs:rc0" (every job ran and exited 0; the pipeline's status 0)."""
    ok = recs.count == n_expected and recs.succeeded == n_expected
    return f"{n_expected}:rc0" if ok else f"FAILED:{recs.count - recs.succeeded} of {recs.count} jobs, e.g. " \
                                          f"{recs.failures[:1]}"


def w3_checksum(recs):
    """W3's "count:bytes:digest" over successful tasks."""
    return f"{recs.succeeded}:{recs.bytes_total}:{digest_list(recs.results)}"


def w4_checksum(recs):
    """W4's "count:digest" over all results (the peer has no failures to leave out)."""
    return f"{recs.succeeded}:{digest_list(recs.results)}"


# ---------------------------------------------------------------------------------------
# W5: MapReduce totals


def w5_checksum(distinct, total, aardvark, top):
    """w5_mapreduce.py's checksum of (distinct words, total count, Aardvark's total, top 5
    as [word, total] pairs); aardvark is None when the word does not occur."""
    text = f"{distinct}:{total}:{aardvark}:" + ",".join(f"{w}={c}" for w, c in top)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def w5_truth_checksum(truth):
    """The same checksum from gen_ngram.py's .truth.json, the right answer."""
    return w5_checksum(truth["distinct_words"], truth["total_count"], truth["aardvark_total"],
                       [list(x) for x in truth["top5"]])


_MR_SPEED = re.compile(r"([\d.]+) MB, (\d+) lines, (\d+) chunks in ([\d.]+) s: (\d+) MB/s")
_MR_KEYS = re.compile(r"(\d+) distinct keys, total (\d+)")
_MR_BAD = re.compile(r"(\d+) bad line")


def parse_mapreduce_summary(text):
    """The summary `brigade run` prints on stdout for a MapReduce job (docs/mapreduce.md):
    size, lines, chunks, seconds and MB/s, distinct keys and the total, the top totals and
    the asked keys (None when not found), the bad lines. Each total line is the total
    right-aligned in 20 columns ("-" when not found), two spaces, then the key."""
    out = {"top": [], "keys": {}, "bad_lines": 0}
    section = None
    for line in text.splitlines():
        m = _MR_SPEED.match(line)
        if m:
            out.update(mb=float(m[1]), lines=int(m[2]), chunks=int(m[3]), job_s=float(m[4]), job_mb_per_s=int(m[5]))
            continue
        m = _MR_KEYS.match(line)
        if m:
            out.update(distinct=int(m[1]), total=int(m[2]))
            continue
        m = _MR_BAD.match(line)
        if m:
            out["bad_lines"], section = int(m[1]), None
            continue
        if re.fullmatch(r"top \d+:", line):
            section = "top"
        elif line == "keys:":
            section = "keys"
        elif section and len(line) > 22 and line[20:22] == "  ":
            number, key = line[:20].strip(), line[22:]
            if number == "-":
                key, value = key.removesuffix(" (not found)"), None
            else:
                value = int(number)
            if section == "top":
                out["top"].append([key, value])
            else:
                out["keys"][key] = value
    return out


def w5_checksum_from_summary(summary, key="Aardvark", top=5):
    """The peers' W5 checksum from parse_mapreduce_summary's result."""
    if "distinct" not in summary or len(summary["top"]) < top:
        return "WRONG:the summary has no distinct-key count or fewer than 5 top totals"
    return w5_checksum(summary["distinct"], summary["total"], summary["keys"].get(key), summary["top"][:top])


def w5_checksum_from_totals(path, key="Aardvark", top=5):
    """The peers' W5 checksum from an --output totals CSV (header `key,total`, then every
    key, largest total first, ties in byte order). Checks that order too, so the file a
    user would get is verified, not just the summary."""
    distinct = total = 0
    found, best, prev = None, [], None
    with open(path, newline="", encoding="utf-8", errors="surrogateescape") as f:
        rows = csv.reader(f)
        if next(rows, None) != ["key", "total"]:
            return "WRONG:the totals file does not start with the header key,total"
        for word, value in rows:
            n = int(value)
            if prev is not None and (n > prev[1] or (n == prev[1] and word.encode("utf-8", "surrogateescape")
                                                    <= prev[0].encode("utf-8", "surrogateescape"))):
                return f"WRONG:totals out of order at {word!r} after {prev[0]!r}"
            prev = (word, n)
            distinct += 1
            total += n
            if len(best) < top:
                best.append([word, n])
            if word == key:
                found = n
    return w5_checksum(distinct, total, found, best)
