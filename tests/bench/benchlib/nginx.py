"""Debian's nginx for W3n: its default configuration, in a prefix of our own.

Debian 12's /etc/nginx/nginx.conf as shipped (worker_processes auto, worker_connections
768, sendfile, tcp_nopush, gzip on), minus what needs the system's folders: the pid file,
logs and temporary folders live in the prefix, and it listens on 127.0.0.1 only, on a free
port. The files it serves are written once per work directory.
"""
import os
import shutil
import socket
import subprocess
import time

from . import procs

CONFIG = """worker_processes auto;
pid nginx.pid;
error_log error.log;
daemon off;
events {{
    worker_connections 768;
}}
http {{
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers on;
    access_log off;
    gzip on;
    client_body_temp_path temp/body;
    proxy_temp_path temp/proxy;
    fastcgi_temp_path temp/fastcgi;
    uwsgi_temp_path temp/uwsgi;
    scgi_temp_path temp/scgi;
    server {{
        listen 127.0.0.1:{port};
        root www;
    }}
}}
"""


def program():
    """nginx's path, or None when it is not installed."""
    return shutil.which("nginx", path="/usr/sbin:/usr/local/sbin:" + os.environ.get("PATH", ""))


def file_content(i):
    """The i-th small static file: 220 to 520 bytes."""
    return b"small static file %d\n" % i + b"x" * (200 + i % 300)


def write_files(root, n):
    """root/files/f0.txt ... f{n-1}.txt, readable by nginx's workers (nobody when run as root);
    returns their total size."""
    files = os.path.join(root, "files")
    os.makedirs(files, exist_ok=True)
    total = 0
    for i in range(n):
        data = file_content(i)
        total += len(data)
        path = os.path.join(files, f"f{i}.txt")
        if not (os.path.exists(path) and os.path.getsize(path) == len(data)):
            with open(path, "wb") as f:
                f.write(data)
    for d in (os.path.dirname(root), root, files):
        os.chmod(d, 0o755)
    return total


class Nginx:
    """Context manager: nginx serving prefix/www on http://127.0.0.1:PORT (`base`)."""

    def __init__(self, prefix):
        self.prefix = os.path.abspath(prefix)
        self.proc = None
        self.base = None

    def __enter__(self):
        os.makedirs(os.path.join(self.prefix, "www"), exist_ok=True)
        os.makedirs(os.path.join(self.prefix, "temp"), exist_ok=True)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        with open(os.path.join(self.prefix, "nginx.conf"), "w") as f:
            f.write(CONFIG.format(port=port))
        log = open(os.path.join(self.prefix, "nginx.out"), "wb")
        self.proc = subprocess.Popen([program(), "-p", self.prefix + "/", "-c", "nginx.conf", "-e", "error.log"],
                                     stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     preexec_fn=procs.raise_fd_limit)
        log.close()
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"nginx exited with {self.proc.returncode}; see {self.prefix}/error.log")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    self.base = f"http://127.0.0.1:{port}"
                    return self
            except OSError:
                time.sleep(0.05)
        self.__exit__(None, None, None)
        raise RuntimeError("nginx did not accept connections within 20 s")

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()  # fast shutdown of the master and its workers
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def pids(self):
        """The master and its worker processes, whose CPU is part of a W3n run's."""
        out = [self.proc.pid]
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as f:
                        if int(f.read().rsplit(")", 1)[1].split()[1]) == self.proc.pid:
                            out.append(int(entry))
                except (OSError, ValueError, IndexError):
                    pass
        return out

    def error_log(self):
        try:
            with open(os.path.join(self.prefix, "error.log"), errors="replace") as f:
                return f.read()
        except OSError:
            return ""
