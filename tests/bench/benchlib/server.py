"""The peers' loopback delay server, started once per benchmark run.

Brigade and the Python peers fetch from the same server process, so neither gets a
faster or a warmer server than the other. It runs on a free port chosen by the kernel
(--port 0) so two benchmark runs (or a CI job next to a developer) never collide.
"""
import json
import os
import subprocess
import time
import urllib.request

from . import procs


class DelayServer:
    """Context manager around peers/delay_server.py; `base` is its http://127.0.0.1:PORT."""

    def __init__(self, python_exe, peers_dir, work_dir):
        self.python_exe = python_exe
        self.script = os.path.join(peers_dir, "delay_server.py")
        self.work_dir = work_dir
        self.proc = None
        self.base = None

    def __enter__(self):
        port_file = os.path.join(self.work_dir, "delay_server.port")
        if os.path.exists(port_file):
            os.remove(port_file)
        log = open(os.path.join(self.work_dir, "delay_server.log"), "wb")
        # preexec raises RLIMIT_NOFILE: the server holds one fd per in-flight request.
        self.proc = subprocess.Popen(
            [self.python_exe, self.script, "--host", "127.0.0.1", "--port", "0", "--port-file", port_file,
             "--max-runtime", "3600"],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, preexec_fn=procs.raise_fd_limit)
        log.close()
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"delay server exited with {self.proc.returncode}; see {log.name}")
            if os.path.exists(port_file) and open(port_file).read().strip():
                self.base = f"http://127.0.0.1:{int(open(port_file).read())}"
                return self
            time.sleep(0.05)
        self.__exit__(None, None, None)
        raise RuntimeError("delay server did not report its port within 30 s")

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    @property
    def pid(self):
        return self.proc.pid

    def stats(self, reset=False):
        """The server's counters (requests, peak in-flight); reset=True starts them over."""
        url = f"{self.base}/stats" + ("?reset=1" if reset else "")
        # No proxy: a loopback server must never be reached through $http_proxy.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(url, timeout=10) as r:
            return json.loads(r.read())
