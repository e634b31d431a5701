"""Describe the machine and the build a report was measured on.

Ratios between Brigade and its peers travel between machines; absolute times do not.
A report without the CPU, core count, load and Brigade's commit cannot be compared with
anything, so every report carries them.
"""
import datetime
import os
import platform
import subprocess


def cpu_model():
    """The 'model name' line of /proc/cpuinfo (the first CPU's)."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory_gb():
    """Total RAM in GB (MemTotal of /proc/meminfo)."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return None


def git_describe(repo_dir):
    """Brigade's commit, with '+dirty' when the work tree has changes (read-only git calls)."""
    def git(*args):
        return subprocess.run(["git", "-C", repo_dir, *args], capture_output=True, text=True,
                              timeout=10).stdout.strip()
    try:
        commit = git("rev-parse", "--short", "HEAD")
        dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    except (OSError, subprocess.SubprocessError):
        return None
    return (commit + "+dirty") if commit and dirty else (commit or None)


def describe(repo_dir, python_exe):
    """Everything a reader needs to judge where the numbers came from."""
    try:
        py = subprocess.run([python_exe, "--version"], capture_output=True, text=True, timeout=10)
        peer_python = (py.stdout or py.stderr).strip()
    except OSError:
        peer_python = None
    return {
        "cpu_model": cpu_model(),
        "cores": os.cpu_count(),
        "memory_gb": memory_gb(),
        "kernel": platform.release(),
        "os": _os_name(),
        "peer_python": peer_python,
        "brigade_commit": git_describe(repo_dir),
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def _os_name():
    """PRETTY_NAME from /etc/os-release, e.g. 'Debian GNU/Linux 12 (bookworm)'."""
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return platform.system()
