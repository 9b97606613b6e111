"""What the load test records (every page wait, every error) and how it is reported."""

from __future__ import annotations

import math
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

SIGN_IN = "Sign in"
# The walk of every session, in order, again and again.
STEPS = ("Subscription", "Consumption History", "filter", "next page", "Purchase History")


@dataclass(frozen=True)
class Failure:
    session: int
    step: str
    kind: str  # exception (shown on the page), missing, timeout, disconnect, sign-in
    detail: str
    at_s: float


@dataclass
class Recorder:
    """Page waits in milliseconds by step, errors and skipped steps, for every session.

    The browser client also notes when the run's script_finished reached the page
    (`received`): the part of its wait that the websocket client measures, without the
    drawing."""

    waits: dict[str, list[float]] = field(
        default_factory=lambda: {step: [] for step in (SIGN_IN, *STEPS)})
    received: dict[str, list[float]] = field(
        default_factory=lambda: {step: [] for step in (SIGN_IN, *STEPS)})
    failures: list[Failure] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    pages_of: Counter[int] = field(default_factory=Counter)  # pages walked, by session
    started: float = field(default_factory=time.monotonic)

    def wait(self, session: int, step: str, ms: float,
             received_ms: float | None = None) -> None:
        self.waits[step].append(ms)
        if step != SIGN_IN:
            self.pages_of[session] += 1
        if received_ms is not None:
            self.received[step].append(received_ms)

    def fail(self, session: int, step: str, kind: str, detail: str) -> None:
        self.failures.append(Failure(session, step, kind, detail[:300],
                                     time.monotonic() - self.started))

    def skip(self, step: str) -> None:
        self.skipped[step] += 1


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (the value at or below which `fraction` of them lie)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def page_rows(recorder: Recorder) -> dict[str, dict[str, float | int]]:
    errors = Counter(f.step for f in recorder.failures)
    rows: dict[str, dict[str, float | int]] = {}
    for step, waits in recorder.waits.items():
        row: dict[str, float | int] = {"count": len(waits), "errors": errors[step],
                                       "skipped": recorder.skipped[step]}
        if waits:
            row |= {"p50_ms": percentile(waits, 0.5), "p95_ms": percentile(waits, 0.95),
                    "max_ms": max(waits)}
        if recorder.received[step]:
            row["received_p50_ms"] = percentile(recorder.received[step], 0.5)
        rows[step] = row
    return rows


def _errors(recorder: Recorder) -> dict[str, Any]:
    return {"total": len(recorder.failures),
            "by_kind": dict(Counter(f.kind for f in recorder.failures)),
            "first": [vars(f) for f in recorder.failures[:20]]}


def results(recorders: dict[str, Recorder], context: dict[str, Any],
            servers: dict[str, dict[str, float]], client: dict[str, float]) -> dict[str, Any]:
    """Everything measured, as the JSON file holds it: pages and errors by client."""
    return {"context": context,
            "pages": {name: page_rows(r) for name, r in recorders.items()},
            "errors": {name: _errors(r) for name, r in recorders.items()},
            "servers": servers, "client": client}


def _ms(row: dict[str, float | int], key: str) -> str:
    return f"{row[key]:,.0f}" if key in row else "-"


def _usage_line(name: str, usage: dict[str, float]) -> str:
    if not usage:
        return f"| {name} | (not sampled) | | | | | |"
    return (f"| {name} | {usage['cpu_mean_percent']:.0f} | {usage['cpu_max_percent']:.0f} "
            f"| {usage['rss_start_mb']:.0f} | {usage['rss_max_mb']:.0f} "
            f"| {usage['rss_end_mb']:.0f} | {usage['rss_slope_mb_per_min']:+.1f} |")


def pages_table(pages: dict[str, dict[str, float | int]], errors: dict[str, Any]) -> list[str]:
    received = any("received_p50_ms" in row for row in pages.values())
    lines = ["| page | count | p50 ms | p95 ms | max ms | errors | skipped |"
             + (" p50 ms to script_finished |" if received else ""),
             "|---|---:|---:|---:|---:|---:|---:|" + ("---:|" if received else "")]
    for step, row in pages.items():
        lines.append(f"| {step} | {row['count']:,} | {_ms(row, 'p50_ms')} "
                     f"| {_ms(row, 'p95_ms')} | {_ms(row, 'max_ms')} | {row['errors']:,} "
                     f"| {row['skipped']:,} |"
                     + (f" {_ms(row, 'received_p50_ms')} |" if received else ""))
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(errors["by_kind"].items())) or "none"
    return [*lines, "", f"errors: {errors['total']} ({kinds})"]


def table(measured: dict[str, Any]) -> str:
    """The pages' waits, the errors, and the processes' CPU and memory, as Markdown."""
    lines: list[str] = []
    for name, pages in measured["pages"].items():
        if len(measured["pages"]) > 1:
            lines += [f"{name} client:", ""]
        lines += [*pages_table(pages, measured["errors"][name]), ""]
    lines += ["| process | CPU mean % of a core | CPU max % | RSS start MB | RSS max MB "
              "| RSS end MB | RSS slope MB/min (2nd half) |",
              "|---|---:|---:|---:|---:|---:|---:|"]
    lines += [_usage_line(f"server {name}", usage)
              for name, usage in measured["servers"].items()]
    lines.append(_usage_line("client", measured["client"]))
    return "\n".join(lines)


def context_line(context: dict[str, Any]) -> str:
    return (f"{context['client']} client, {context['sessions']} sessions on "
            f"{', '.join(context['urls'])}, {context['duration_s']:.0f} s walk "
            f"(think {context['think_s']:g} s), {context['loops']} walks done, "
            f"{context['date']}, load average {context['load_average'][0]:g} before and "
            f"{context['load_average'][1]:g} after on {context['cpus']} CPUs")
