#!/usr/bin/env python3
"""Sorts the ThreadSanitizer reports of a run (TSAN_OPTIONS=log_path=DIR/tsan) and fails on
any race where both accesses are in Brigade code.

    python3 tests/tsan_reports.py SOURCE_DIR REPORT_DIR

Qt is not built with TSan. What tests/tsan.supp cannot match by name, because the Qt side
of a report has no symbols (a free deep inside QtCore, say), is listed here as one-sided and
not counted: one of its accesses is inside Qt, where TSan sees allocations but not the
locks that order them. A race between two pieces of Brigade code is always counted.
"""
import os
import re
import sys
from collections import Counter


def sections(report):
    """The access stacks of a report: the current access, then the previous one."""
    stacks, current = [], None
    for line in report.splitlines():
        if re.match(r"  (Read|Write|Atomic read|Atomic write|Previous) ", line):
            current = []
            stacks.append(current)
        elif re.match(r"  \S", line) or not line.strip():
            current = None
        elif current is not None and re.match(r"\s+#\d+ ", line):
            current.append(line.strip())
    return stacks


def is_ours(frame, roots):
    return any(r in frame for r in roots) or "Brigade::" in frame


def first_ours(stack, roots):
    for frame in stack:
        if is_ours(frame, roots):
            return re.sub(r"^#\d+ ", "", frame)[:160]
    return "(Qt or the C++ library)"


def is_qt_block_handover(stacks):
    """Both accesses are Qt's own code working on a block Qt itself allocated: the allocator
    or a memmove/memcpy called straight from QtCore (a container's storage grown or freed on
    another thread, a posted event made by postEvent and deleted by sendPostedEvents, the
    posted-event list shifted as a queued call is added). Such a block is handed between
    threads under Qt's locks, which TSan cannot see. Our code may be further down either
    stack, as the caller of emit, of a queued call or of an event loop; a race on the
    contents would show our code on top."""
    if len(stacks) < 2:
        return False
    allocator = r"\b(malloc|realloc|free|calloc|operator new|operator delete)\b"
    # One side allocated or freed the block: a shared container written from two threads
    # would show two copies (memcpy against memcpy), and that is counted.
    if not any(s and re.search(allocator, s[0]) for s in stacks[:2]):
        return False
    for s in stacks[:2]:
        inner = [f for f in s if "libtsan.so" in f]
        outer = [f for f in s if "libtsan.so" not in f]
        if not inner or not outer or not s[0] in inner:
            return False
        if not re.search(r"\b(malloc|realloc|free|calloc|operator new|operator delete|memmove|memcpy|memset)\b", inner[0]):
            return False
        if "QArrayData::" not in outer[0] and "libQt6Core.so" not in outer[0]:
            return False
    return True


def main():
    src, logs = sys.argv[1], sys.argv[2]
    roots = [os.path.join(os.path.abspath(src), d) + "/" for d in ("engine", "app", "ui", "tests")]
    counted, onesided, crashes = [], Counter(), []
    files = sorted(os.listdir(logs)) if os.path.isdir(logs) else []
    for name in files:
        text = open(os.path.join(logs, name), errors="replace").read()
        if "CHECK failed" in text:
            crashes.append(name)
        for report in text.split("==================\n"):
            if "WARNING: ThreadSanitizer" not in report:
                continue
            stacks = sections(report)
            sides = [first_ours(s, roots) for s in stacks[:2]]
            if is_qt_block_handover(stacks):
                onesided["a block Qt allocated and freed, handed between threads (allocator only)"] += 1
            elif len(stacks) >= 2 and all(any(is_ours(f, roots) for f in s) for s in stacks[:2]):
                counted.append((name, report))
            else:
                onesided[" <-> ".join(sides)] += 1
    for key, n in onesided.most_common():
        print(f"tsan: {n} one-sided report(s), not counted: {key}")
    for name in crashes:
        print(f"tsan: the TSan runtime itself failed a check in {name} (see that file)")
    for name, report in counted:
        print(f"tsan: a race in Brigade code ({name}):\n{report}")
    print(f"tsan: {len(counted)} race(s) in Brigade code, {sum(onesided.values())} one-sided "
          f"report(s) in {len(files)} file(s)")
    return 1 if counted else 0


if __name__ == "__main__":
    sys.exit(main())
