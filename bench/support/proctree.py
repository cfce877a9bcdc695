"""CPU time and peak memory of a process and its descendants, read from /proc."""

from __future__ import annotations

import os
import re
from pathlib import Path


def descendants(pid: int) -> list[int]:
    """Every live descendant of ``pid`` (the gateway's verifier processes, for one)."""
    return list(generations(pid))


def generations(pid: int) -> dict[int, int]:
    """Every live descendant of ``pid`` and its generation: 1 for a child, 2 for a
    grandchild (the verifier process of a pipeline process, for one)…"""
    found: dict[int, int] = {}
    pending = [(pid, 0)]
    while pending:
        parent, generation = pending.pop()
        for children in Path(f"/proc/{parent}/task").glob("*/children"):
            try:
                kids = [int(k) for k in children.read_text(encoding="ascii").split()]
            except OSError:
                continue
            found.update(dict.fromkeys(kids, generation + 1))
            pending += [(kid, generation + 1) for kid in kids]
    return found


def tree_cpu(pid: int) -> dict[int, float]:
    """CPU seconds used so far by ``pid`` and each of its live descendants."""
    usage = {p: cpu_seconds(p) for p in (pid, *descendants(pid))}
    return {p: seconds for p, seconds in usage.items() if seconds is not None}


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time a process has used so far; None when unreadable."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)"; utime, stime are 14, 15
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def vm_hwm_kib(pid: int | str = "self") -> int | None:
    """Peak resident set size (VmHWM) of a process, in KiB; None when unreadable."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    match = re.search(r"^VmHWM:\s+(\d+)\s+kB", status, re.MULTILINE)
    return int(match.group(1)) if match else None


def vm_rss_kib(pid: int | str = "self") -> int | None:
    """Resident set size now (VmRSS) of a process, in KiB; None when unreadable."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    match = re.search(r"^VmRSS:\s+(\d+)\s+kB", status, re.MULTILINE)
    return int(match.group(1)) if match else None


def reset_peak(pid: int) -> bool:
    """Restart a process's VmHWM from its current RSS (Linux ``clear_refs`` 5)."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5", encoding="ascii")
    except OSError:
        return False
    return True
