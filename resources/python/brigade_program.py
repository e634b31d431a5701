"""Serve a Python function as a Brigade program.

    import brigade_program

    model = load_model()              # set-up: runs once per worker

    def handle(args, body):           # or: async def handle(args, body)
        return model.score(args["text"])

    brigade_program.serve(handle)

A batch declares the program and calls it:

    {"programs": {"score": {"argv": ["python3", "score.py"]}}}
    {"compute": {"op": "call", "program": "score", "args": {"text": "..."}}}

Brigade starts the program once per worker, with this module's directory on PYTHONPATH,
and feeds it requests over fd 3; replies go back over fd 4, so print() never disturbs the
protocol. See docs/programs.md for the protocol itself.

- A plain function handles one request at a time; an `async def` handles many at once on
  one event loop (up to the program's max_in_flight).
- What handle returns is the task's result (anything json.dumps takes). An exception fails
  the attempt with its message; raise Retry("why") to ask for another attempt, or
  Fail("why") to say another attempt would not help.
- print() inside handle (and log()) goes to that task's output in Brigade; elsewhere it is
  the program's log, as is stderr (tracebacks included).
- {"cancel": id} cancels an async call (it is then answered as cancelled); a plain function
  cannot be interrupted and simply finishes.
"""

import asyncio
import contextvars
import inspect
import io
import json
import os
import sys
import traceback

__all__ = ["serve", "log", "Retry", "Fail"]

REQUESTS_FD = 3
REPLIES_FD = 4

_current = contextvars.ContextVar("brigade_task", default=None)
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_loads = json.loads


class Retry(Exception):
    """Fail this attempt and ask Brigade for another one."""


class Fail(Exception):
    """Fail this attempt; another attempt would not help."""


class _Replies:
    """Replies to fd 4, written in batches (one write per batch of requests)."""

    def __init__(self, fd):
        self.fd = fd
        self.parts = []

    def add(self, text):
        self.parts.append(text)

    def flush(self):
        if not self.parts:
            return
        data = "".join(self.parts).encode("utf-8", "replace")
        self.parts = []
        view = memoryview(data)
        while view:
            try:
                n = os.write(self.fd, view)
            except BlockingIOError:
                import select

                select.select([], [self.fd], [])
                continue
            view = view[n:]


_replies = _Replies(REPLIES_FD)


def _reply_result(task_id, attempt, value):
    try:
        text = _dumps(value)
    except (TypeError, ValueError) as e:
        return _reply_error(task_id, attempt, f"the result is not JSON: {e}", False)
    return '{"id":%s,"attempt":%d,"result":%s}\n' % (_dumps(task_id), attempt, text)


def _reply_error(task_id, attempt, message, retry=None):
    reply = {"id": task_id, "attempt": attempt, "error": message}
    if retry is not None:
        reply["retry"] = retry
    return _dumps(reply) + "\n"


def _error_reply(task_id, attempt, e):
    if isinstance(e, Retry):
        return _reply_error(task_id, attempt, str(e) or "retry", True)
    if isinstance(e, Fail):
        return _reply_error(task_id, attempt, str(e) or "failed", False)
    traceback.print_exc(file=sys.stderr)
    return _reply_error(task_id, attempt, f"{type(e).__name__}: {e}")


def log(text):
    """A line in the output of the task being handled (the program's log outside a task)."""
    task = _current.get()
    if task is None:
        print(text, file=sys.__stdout__, flush=True)
        return
    _replies.add(_dumps({"id": task[0], "log": str(text)}) + "\n")


class _TaskStdout(io.TextIOBase):
    """sys.stdout: lines printed while handling a task are that task's output."""

    def __init__(self, real):
        self.real = real
        self.pending = {}

    def writable(self):
        return True

    def write(self, text):
        task = _current.get()
        if task is None:
            return self.real.write(text)
        key = task[0]
        buffered = self.pending.get(key, "") + text
        *lines, rest = buffered.split("\n")
        for line in lines:
            _replies.add(_dumps({"id": key, "log": line}) + "\n")
        if rest:
            self.pending[key] = rest
        else:
            self.pending.pop(key, None)
        return len(text)

    def end_task(self, key):
        rest = self.pending.pop(key, None)
        if rest:
            _replies.add(_dumps({"id": key, "log": rest}) + "\n")

    def flush(self):
        self.real.flush()


class _Requests:
    """Splits what arrives on fd 3 into (request, body) pairs."""

    def __init__(self):
        self.buffer = b""
        self.need = None  # (request, body_bytes) waiting for its body

    def feed(self, data):
        self.buffer += data
        out = []
        buf = self.buffer
        pos = 0
        while True:
            if self.need is not None:
                request, size = self.need
                if len(buf) - pos < size:
                    break
                out.append((request, buf[pos : pos + size]))
                pos += size
                self.need = None
                continue
            nl = buf.find(b"\n", pos)
            if nl < 0:
                break
            line = buf[pos:nl]
            pos = nl + 1
            if not line.strip():
                continue
            request = _loads(line)
            size = request.get("body_bytes", 0) if isinstance(request, dict) else 0
            if size:
                self.need = (request, size)
            else:
                out.append((request, b""))
        self.buffer = buf[pos:]
        return out


def _serve_sync(handle, stdout):
    requests = _Requests()
    while True:
        data = os.read(REQUESTS_FD, 1 << 16)
        if not data:
            break
        for request, body in requests.feed(data):
            task_id = request.get("id")
            if task_id is None:
                continue  # {"cancel": ...}: a plain function cannot be interrupted
            attempt = request.get("attempt", 0)
            token = _current.set((task_id, attempt))
            try:
                reply = _reply_result(task_id, attempt, handle(request.get("args"), body))
            except Exception as e:  # noqa: BLE001 - the user's code may raise anything
                reply = _error_reply(task_id, attempt, e)
            finally:
                _current.reset(token)
                stdout.end_task(task_id)
            _replies.add(reply)
        _replies.flush()
    _replies.flush()


async def _serve_async(handle, stdout):
    loop = asyncio.get_running_loop()
    requests = _Requests()
    tasks = {}
    done = loop.create_future()
    flush_scheduled = False

    def schedule_flush():
        nonlocal flush_scheduled
        if not flush_scheduled:
            flush_scheduled = True
            loop.call_soon(do_flush)

    def do_flush():
        nonlocal flush_scheduled
        flush_scheduled = False
        _replies.flush()

    async def run(task_id, attempt, args, body):
        _current.set((task_id, attempt))
        try:
            reply = _reply_result(task_id, attempt, await handle(args, body))
        except asyncio.CancelledError:
            reply = _reply_error(task_id, attempt, "cancelled", False)
        except Exception as e:  # noqa: BLE001
            reply = _error_reply(task_id, attempt, e)
        finally:
            stdout.end_task(task_id)
        _replies.add(reply)
        schedule_flush()

    def finished(task_id, task):
        if tasks.get(task_id) is task:
            del tasks[task_id]
        if done.done() is False and reading_ended and not tasks:
            done.set_result(None)

    reading_ended = False

    def on_readable():
        nonlocal reading_ended
        try:
            data = os.read(REQUESTS_FD, 1 << 16)
        except BlockingIOError:
            return
        if not data:
            reading_ended = True
            loop.remove_reader(REQUESTS_FD)
            if not tasks and not done.done():
                done.set_result(None)
            return
        for request, body in requests.feed(data):
            if "cancel" in request:
                task = tasks.get(request["cancel"])
                if task is not None:
                    task.cancel()
                continue
            task_id = request.get("id")
            task = loop.create_task(run(task_id, request.get("attempt", 0), request.get("args"), body))
            tasks[task_id] = task
            task.add_done_callback(lambda t, key=task_id: finished(key, t))

    os.set_blocking(REQUESTS_FD, False)
    loop.add_reader(REQUESTS_FD, on_readable)
    await done
    _replies.flush()


def serve(handle):
    """Answers Brigade's requests with handle(args, body) until Brigade closes fd 3.

    Call it once the program is set up: it tells Brigade the program is ready."""
    try:
        os.fstat(REQUESTS_FD)
        os.fstat(REPLIES_FD)
    except OSError:
        sys.exit(
            "brigade_program: no fd 3 and 4: this program is meant to be started by Brigade "
            '(declare it in a batch\'s "programs")'
        )
    stdout = _TaskStdout(sys.stdout)
    sys.stdout = stdout
    _replies.add('{"ready":true}\n')
    _replies.flush()
    if inspect.iscoroutinefunction(handle):
        asyncio.run(_serve_async(handle, stdout))
    else:
        _serve_sync(handle, stdout)
