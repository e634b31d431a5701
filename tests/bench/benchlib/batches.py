"""Brigade batch files for the workloads of ../shared/workloads.md.

Each batch is the same work the peer does, task for task, so the results can be
compared digest for digest:

- W1: N tasks that do nothing: {"compute":{"op":"sum_to","n":0}} from a defaults line,
  then N lines "{}". Task i is line i + 2, so its id is str(i + 2); the peer's task i
  returns i, so the peer-style checksum "N:sum(i)" is rebuilt from the ids.
- W2: N identical {"fetch":{"delay_ms":[200,700]},"compute":{"op":"sum_to","n":100000}}.
  Brigade draws the delays itself (from --seed), the peer from its own RNG; both are
  uniform in [200, 700] ms and every result is the same number, so the checksum
  "N:sum" does not depend on the draw.
- W3: task i fetches /delay?ms=M_i&bytes=16384&seed=i with M_i the peer's draw
  (int(random.Random(20240601).uniform(200, 700)), drawn in order), then sha256 x 64.
- W4: sha: id "peer-task-i" and 1 + R rounds (Brigade's first round turns the id into
  the peer's 32-byte start value sha256(b"peer-task-i")); sum: sum_to n.
- W5: one MapReduce line over the n-gram file of peers/gen_ngram.py: totals of
  match_count per word, the top 5 and Aardvark's total, which is what the peer reports.
- W6: N command tasks running /bin/true (the command from the defaults line), as
  peers/w1_cmd.py runs `true` N times.
- W7, W8: calls of a long-lived Python program (written beside the batch) that imports
  the peers' own functions: w1_noop.noop_sync(i), peerlib.sum_loop(n), and the coroutine
  of w2_latency.py with the peer's sleeps (same seed, drawn in the same order).
"""
import json
import random

PEER_SEED = 20240601  # peerlib.PEER_SEED: the seed every peer draws its inputs from

W1_FIRST_LINE = 2  # the line of task 0 in a W1 batch (line 1 holds the defaults)


def _write_lines(path, lines):
    """Write an iterable of JSON-able objects as JSON Lines (compact separators, like
    a generator script would)."""
    with open(path, "w") as f:
        for obj in lines:
            f.write(json.dumps(obj, separators=(",", ":")))
            f.write("\n")
    return path


def write_noop(path, n):
    """W1: n no-op tasks (sum_to 0 from the defaults line)."""
    with open(path, "w") as f:
        f.write('{"defaults":{"compute":{"op":"sum_to","n":0}}}\n')
        chunk = "{}\n" * 10000
        for _ in range(n // 10000):
            f.write(chunk)
        f.write("{}\n" * (n % 10000))
    return path


def write_noop_real(path, n):
    """W1's default batch, as real batches are written: n no-op tasks, each line with its
    own id and its fields, {"id": "n<i>", "compute": {"op": "sum_to", "n": 0}} (issue 15)."""
    with open(path, "w") as f:
        for start in range(0, n, 10000):
            f.write("".join(f'{{"id": "n{i}", "compute": {{"op": "sum_to", "n": 0}}}}\n'
                            for i in range(start, min(n, start + 10000))))
    return path


# The W1 and G1 batches by name (--w1-batch, --g1-batch): "real" by default; "empty" is the
# classic all-{} batch with the op in the defaults line, which the parser's line cache
# turns into copies of one line.
W1_BATCHES = {"real": write_noop_real, "empty": write_noop}


def write_url_list(path, n, normalised=False):
    """A .txt list of n distinct URLs over four local ports, each with its own path and
    query, as generated lists have them. normalised=True writes the same URLs as libcurl
    must rewrite them (upper-case scheme and host, an explicit default port, a "." segment):
    the parser's slow path, where every line goes through libcurl."""
    with open(path, "w") as f:
        for start in range(0, n, 10000):
            if normalised:
                lines = (f"HTTP://LOCALHOST:80/./item/{i}?id={i}&page={i % 97}&q=size%3A{i % 7}\n"
                         for i in range(start, min(n, start + 10000)))
            else:
                lines = (f"http://127.0.0.1:{8080 + i % 4}/item/{i}?id={i}&page={i % 97}&q=size%3A{i % 7}\n"
                         for i in range(start, min(n, start + 10000)))
            f.write("".join(lines))
    return path


def write_url_jsonl(path, n):
    """JSON Lines of n fetch tasks, each with its own id and the URL write_url_list gives
    line i, hashed: {"id": "u<i>", "fetch": URL, "compute": {"op": "sha256", "rounds": 1}}."""
    with open(path, "w") as f:
        for start in range(0, n, 10000):
            f.write("".join(
                f'{{"id": "u{i}", "fetch": "http://127.0.0.1:{8080 + i % 4}/item/{i}?id={i}&page={i % 97}'
                f'&q=size%3A{i % 7}", "compute": {{"op": "sha256", "rounds": 1}}}}\n'
                for i in range(start, min(n, start + 10000))))
    return path


def write_argument_list(path, n):
    """A list of n distinct file paths, one per line, as `ls` or `find` gives them to
    brigade run LIST -- PROG: /data/set<i % 97>/file-<i>.csv."""
    with open(path, "w") as f:
        for start in range(0, n, 10000):
            f.write("".join(f"/data/set{i % 97}/file-{i:07d}.csv\n" for i in range(start, min(n, start + 10000))))
    return path


def write_noop_ids(path, n):
    """W1 as a real batch is written: n no-op tasks with ids of their own ("n<i>"), the
    op in the defaults line."""
    with open(path, "w") as f:
        f.write('{"defaults":{"compute":{"op":"sum_to","n":0}}}\n')
        for start in range(0, n, 10000):
            f.write("".join(f'{{"id":"n{i}"}}\n' for i in range(start, min(n, start + 10000))))
    return path


def write_noop_fields(path, n):
    """W1 with every field on every line: id "n<i>" and sum_to i % 1000 (nearly no-ops)."""
    with open(path, "w") as f:
        for start in range(0, n, 10000):
            f.write("".join(f'{{"id":"n{i}","compute":{{"op":"sum_to","n":{i % 1000}}}}}\n'
                            for i in range(start, min(n, start + 10000))))
    return path


def write_sum(path, n_tasks, n, delay_ms=None):
    """n_tasks x sum_to n, optionally after a simulated delay ([min, max] ms)."""
    task = {"compute": {"op": "sum_to", "n": n}}
    if delay_ms is not None:
        task = {"fetch": {"delay_ms": list(delay_ms)}, **task}
    return _write_lines(path, (task for _ in range(n_tasks)))


def w3_delays(n, seed=PEER_SEED, lo=200, hi=700):
    """M_i for i = 0..n-1, exactly as peers/w3_fetch.py draws them."""
    rng = random.Random(seed)
    return [int(rng.uniform(lo, hi)) for _ in range(n)]


def write_w3(path, base, n, nbytes=16384, rounds=64):
    """W3: task i fetches the delay server with the peer's M_i and seed i, then sha256 x rounds."""
    delays = w3_delays(n)
    return _write_lines(path, ({"id": f"w3-{i}",
                                "fetch": f"{base}/delay?ms={ms}&bytes={nbytes}&seed={i}",
                                "compute": {"op": "sha256", "rounds": rounds}}
                               for i, ms in enumerate(delays)))


def write_w4_sha(path, n, peer_rounds):
    """W4 sha: the peer's chain of peer_rounds over sha256(b"peer-task-i"), as 1 + peer_rounds rounds."""
    return _write_lines(path, ({"id": f"peer-task-{i}", "compute": {"op": "sha256", "rounds": peer_rounds + 1}}
                               for i in range(n)))


def write_w5(path, data_path, top=5, keys=("Aardvark",)):
    """W5: a batch of one MapReduce job (docs/mapreduce.md) over data_path, an absolute
    path so the batch works from any directory."""
    job = {"id": "w5", "mapreduce": {"input": data_path, "format": "ngram", "top": top, "keys": list(keys)}}
    return _write_lines(path, [job])


def write_w6(path, n):
    """W6: n runs of /bin/true as command tasks."""
    with open(path, "w") as f:
        f.write('{"defaults":{"compute":{"op":"exec","argv":["/bin/true"]}}}\n')
        f.write("{}\n" * n)
    return path


def write_program(path, peers_dir, body):
    """A long-lived Python program for Brigade: the peers' directory on sys.path, then body
    (which imports what it needs and calls brigade_program.serve)."""
    with open(path, "w") as f:
        f.write(f"import sys\nsys.path.insert(0, {peers_dir!r})\nimport brigade_program\n{body}")
    return path


def write_calls(path, python, program, args, max_in_flight):
    """A batch of calls of one program, task i with args[i]."""
    head = {"programs": {"p": {"argv": [python, program], "max_in_flight": max_in_flight}},
            "defaults": {"compute": {"op": "call", "program": "p"}}}
    return _write_lines(path, [head, *({"compute": {"op": "call", "program": "p", "args": a}} for a in args)])


def w2_sleeps(n, seed=PEER_SEED, lo=0.2, hi=0.7):
    """w2_latency.py's sleeps, task by task (make_sleeps: the same RNG, in order)."""
    rng = random.Random(seed)
    return [rng.uniform(lo, hi) for _ in range(n)]
