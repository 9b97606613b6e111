"""CPU and memory of processes, read from /proc while the load test runs.

A process is counted with its descendants (a browser's renderers, a server's workers).
CPU is the ticks of user and system time each process gained between two samples, in
percent of one core; memory is the resident set (RSS) of all of them together.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

PROC = Path("/proc")
TICKS_PER_S = os.sysconf("SC_CLK_TCK")
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
LISTEN = "0A"  # the state of a listening socket in /proc/net/tcp


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the name (state first); None when it is gone."""
    try:
        raw = (PROC / str(pid) / "stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    return raw[raw.rindex(")") + 2:].split()  # the name may hold spaces and parentheses


def _stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, user + system ticks) of a process; None when it is gone."""
    fields = _stat_fields(pid)
    return None if fields is None else (int(fields[1]), int(fields[11]) + int(fields[12]))


def parent_of(pid: int) -> int | None:
    stat = _stat(pid)
    return stat[0] if stat is not None else None


def tree_cpu_s(root: int) -> float | None:
    """CPU seconds of `root`, its live descendants and the children it has reaped (their
    time is added to its own when they end): the difference of two readings is the CPU
    the tree spent between them, as a server's connections come and go. None: gone."""
    fields = _stat_fields(root)
    if fields is None:
        return None
    reaped = int(fields[13]) + int(fields[14])  # cutime, cstime
    live = sum(stat[1] for pid in process_tree(root) if (stat := _stat(pid)) is not None)
    return (reaped + live) / TICKS_PER_S


def _rss_bytes(pid: int) -> int:
    try:
        statm = (PROC / str(pid) / "statm").read_text(encoding="ascii")
    except OSError:
        return 0
    return int(statm.split()[1]) * PAGE_BYTES


def _all_parents() -> dict[int, int]:
    parents = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat is not None:
                parents[int(entry.name)] = stat[0]
    return parents


def process_tree(root: int) -> list[int]:
    """`root` and its descendants that are alive now."""
    children: dict[int, list[int]] = {}
    for pid, parent in _all_parents().items():
        children.setdefault(parent, []).append(pid)
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def _listening_inodes(port: int) -> set[str]:
    inodes = set()
    for table in ("tcp", "tcp6"):
        try:
            lines = (PROC / "net" / table).read_text(encoding="ascii").splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            columns = line.split()
            local, state, inode = columns[1], columns[3], columns[9]
            if state == LISTEN and int(local.rsplit(":", 1)[1], 16) == port:
                inodes.add(inode)
    return inodes


def pid_listening_on(port: int) -> int | None:
    """The process that listens on this TCP port (only this user's processes are seen)."""
    wanted = {f"socket:[{inode}]" for inode in _listening_inodes(port)}
    if not wanted:
        return None
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            for fd in (entry / "fd").iterdir():
                if os.readlink(fd) in wanted:
                    return int(entry.name)
        except OSError:
            continue
    return None


@dataclass(frozen=True)
class Sample:
    at_s: float  # seconds since the sampler started
    cpu_percent: float  # since the previous sample, percent of one core
    rss_mb: float


@dataclass
class TreeSampler:
    """Samples one process tree; `sample()` is called at a steady interval."""

    root: int
    samples: list[Sample] = field(default_factory=list)
    _ticks: dict[int, int] = field(default_factory=dict)
    _start: float = field(default_factory=time.monotonic)
    _last: float = 0.0
    _total_ticks: int = 0

    def sample(self) -> None:
        now = time.monotonic()
        ticks, rss = {}, 0
        for pid in process_tree(self.root):
            stat = _stat(pid)
            if stat is not None:
                ticks[pid] = stat[1]
                rss += _rss_bytes(pid)
        cpu = 0.0
        if self.samples:  # a process born since the last sample gained all its ticks
            gained = sum(max(0, t - self._ticks.get(pid, 0)) for pid, t in ticks.items())
            self._total_ticks += gained
            cpu = 100.0 * gained / TICKS_PER_S / max(now - self._last, 1e-6)
        self._ticks, self._last = ticks, now
        self.samples.append(Sample(now - self._start, cpu, rss / 1e6))

    def summary(self) -> dict[str, float]:
        """CPU over the whole sampled time (mean and the busiest interval) and RSS at the
        start, its maximum, at the end, and its slope over the second half (MB/min)."""
        if len(self.samples) < 2:
            return {}
        span = self.samples[-1].at_s - self.samples[0].at_s
        rss = [s.rss_mb for s in self.samples]
        return {"cpu_mean_percent": 100.0 * self._total_ticks / TICKS_PER_S / span,
                "cpu_max_percent": max(s.cpu_percent for s in self.samples[1:]),
                "rss_start_mb": rss[0], "rss_max_mb": max(rss), "rss_end_mb": rss[-1],
                "rss_slope_mb_per_min": slope_per_min(self.samples[len(self.samples) // 2:]),
                "seconds": span}


def slope_per_min(samples: list[Sample]) -> float:
    """Least-squares slope of RSS against time, in MB per minute (0 with too few samples)."""
    if len(samples) < 3:
        return 0.0
    xs = [s.at_s for s in samples]
    ys = [s.rss_mb for s in samples]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    if spread == 0:
        return 0.0
    return 60.0 * sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
