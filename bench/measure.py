"""Timing and peak memory. Memory is measured in a fresh child process (spawned, not forked)
so that the benchmark's own data never count: the peak is that of the work alone, plus
the interpreter and its libraries.
"""

from __future__ import annotations

import multiprocessing
import resource
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")

# Warm runs per latency measurement; the median is reported (the first, cold run is not).
REPEATS = 5


def peak_rss_mb() -> float:
    """This process's peak resident memory so far (VmHWM), in MB."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(work: Callable[[], T]) -> tuple[T, float]:
    """The result of `work()` and the seconds it took."""
    start = time.perf_counter()
    result = work()
    return result, time.perf_counter() - start


def median_ms(work: Callable[[], Any], repeats: int = REPEATS) -> float:
    """Median wall time of `repeats` warm runs, after one unmeasured warm-up run."""
    work()
    return statistics.median(timed(work)[1] for _ in range(repeats)) * 1000


@dataclass(frozen=True)
class ChildResult:
    value: Any
    peak_mb: float


def _child_main(connection: Any, target: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        value = target(*args)
        connection.send(("ok", value, peak_rss_mb()))
    except BaseException as exc:  # report every failure to the parent, then exit
        connection.send(("error", f"{type(exc).__name__}: {exc}", peak_rss_mb()))
    finally:
        connection.close()


def in_child(target: Callable[..., Any], *args: Any) -> ChildResult:
    """Run `target(*args)` in a spawned process; its return value must pickle."""
    return in_children(target, [args])[0]


def in_children(target: Callable[..., Any], calls: Sequence[tuple[Any, ...]]) -> list[ChildResult]:
    """Run `target(*args)` for each args of `calls`, each in its own spawned process, all
    at once; their results in the same order."""
    context = multiprocessing.get_context("spawn")
    running = []
    for args in calls:
        parent, child = context.Pipe(duplex=False)
        process = context.Process(target=_child_main, args=(child, target, args))
        process.start()
        child.close()
        running.append((parent, process))
    results, failures = [], []
    for parent, process in running:
        try:
            status, value, peak = parent.recv()
        except EOFError:
            status, value, peak = "error", f"died (exit code {process.exitcode})", 0.0
        process.join()
        if status != "ok":
            failures.append(str(value))
        results.append(ChildResult(value, peak))
    if failures:
        raise RuntimeError(f"a child process failed: {'; '.join(failures)}")
    return results
