"""`python -m bench.load_test --url URL --sessions N --duration S`: the dashboard under load.

N people at once, each signed in as a tenant admin, walk Subscription, Consumption
History, a text filter, the next page and Purchase History again and again against a
running dashboard (`streamlit run dashboard.py`), for S seconds after they have all signed
in. Reported: per page the count and p50, p95 and max of the waits, the errors, and the
CPU and memory of the server process(es) and of this client. The default client speaks
Streamlit's websocket protocol (bench/streamlit_client.py), so that it costs the machine
little beside the server it measures; `--client browser` walks in Chromium tabs instead,
and `--client both` puts every other session in a tab, to compare the two at small N.

Several dashboard processes: give `--url` once per process (or a comma list); sessions
are dealt to them in turn, as a sticky proxy would pin each person to one. Traffic goes to
this machine only (127.0.0.1, ::1 or localhost), bounded by --sessions and --duration.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit

import streamlit

from bench.load_test_accounts import Account, demo_accounts, ensure_accounts
from bench.load_test_procs import TreeSampler, pid_listening_on
from bench.load_test_report import (
    STEPS,
    Recorder,
    context_line,
    percentile,
    results,
    table,
)
from bench.load_test_walk import SessionWalk, WalkOptions
from bench.report import write_json

T = TypeVar("T")
LOOPBACK = {"127.0.0.1", "::1", "localhost"}
MAX_SESSIONS = 200
MAX_DURATION_S = 3600
# A dashboard process runs its scripts' Python one at a time (the GIL), so it gets about
# one core at most: past about this share of it, its pages start to queue.
BUSY_PERCENT = 70.0


@dataclass(frozen=True)
class Options:
    urls: list[str]
    sessions: int
    duration_s: float
    client: str
    think_s: float
    timeout_s: float
    ramp_s: float
    db: str | None
    server_pids: list[int]
    sample_s: float


class Walker(Protocol):
    walks: int

    async def sign_in(self, timeout_s: float) -> bool: ...

    async def walk(self, options: WalkOptions) -> None: ...


def _urls(values: list[str]) -> list[str]:
    urls = [u.strip().rstrip("/") for value in values for u in value.split(",") if u.strip()]
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or parts.hostname not in LOOPBACK:
            raise SystemExit(f"--url must be a dashboard on this machine "
                             f"(http://127.0.0.1:PORT), not {url}")
    return urls


def parse(argv: Sequence[str] | None) -> tuple[Options, Path | None]:
    parser = argparse.ArgumentParser(prog="python -m bench.load_test", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", action="append", required=True,
                        help="a running dashboard, e.g. http://127.0.0.1:8501; once per "
                             "process (or a comma list)")
    parser.add_argument("--sessions", type=int, required=True, help="people at once")
    parser.add_argument("--duration", type=float, required=True,
                        help="seconds of walking, after every session has signed in")
    parser.add_argument("--client", choices=("ws", "browser", "both"), default="ws",
                        help="ws: Streamlit's websocket protocol, no rendering (default); "
                             "browser: Chromium tabs through Playwright; both: every other "
                             "session in a tab, to compare the two under the same load")
    parser.add_argument("--think", type=float, default=1.0,
                        help="seconds a person pauses on each page (default: %(default)s)")
    parser.add_argument("--timeout", type=float, default=30.0,
                        help="a page not done by then is an error (default: %(default)s s)")
    parser.add_argument("--ramp", type=float, default=None,
                        help="sign-ins are spread over this many seconds (default: 0.2 s "
                             "per session)")
    parser.add_argument("--db", help="the dashboard's database URL: one tenant admin "
                        "account per session is created there (load-NNN-<tenant>); without "
                        "it the demo's tenant admins are used in turn")
    parser.add_argument("--server-pid", type=int, action="append", default=[],
                        help="the server process of each --url, in order (default: the "
                             "process listening on the URL's port)")
    parser.add_argument("--sample", type=float, default=1.0,
                        help="seconds between CPU and memory samples (default: %(default)s)")
    parser.add_argument("--json", type=Path, help="write the results to this file")
    args = parser.parse_args(argv)
    if not 1 <= args.sessions <= MAX_SESSIONS:
        parser.error(f"--sessions must be 1 to {MAX_SESSIONS}")
    if not 0 < args.duration <= MAX_DURATION_S:
        parser.error(f"--duration must be above 0 and at most {MAX_DURATION_S} s")
    urls = _urls(args.url)
    if args.server_pid and len(args.server_pid) != len(urls):
        parser.error("give one --server-pid per --url, or none")
    ramp = args.ramp if args.ramp is not None else 0.2 * args.sessions
    return Options(urls=urls, sessions=args.sessions, duration_s=args.duration,
                   client=args.client, think_s=max(0.0, args.think),
                   timeout_s=args.timeout, ramp_s=max(0.0, ramp), db=args.db,
                   server_pids=args.server_pid, sample_s=args.sample), args.json


def server_samplers(options: Options) -> dict[str, TreeSampler | None]:
    samplers: dict[str, TreeSampler | None] = {}
    for n, url in enumerate(options.urls):
        port = urlsplit(url).port or (443 if url.startswith("https") else 80)
        pid = options.server_pids[n] if options.server_pids else pid_listening_on(port)
        if pid is None:
            print(f"no process of this user listens on port {port}: the server's CPU and "
                  "memory are not sampled (give --server-pid)", file=sys.stderr)
        samplers[url] = TreeSampler(pid) if pid else None
    return samplers


async def _sample_until(samplers: list[TreeSampler], every_s: float, deadline: float) -> None:
    """Sample at a steady interval; the last sample is taken at the deadline, before the
    sessions close (their pages still open)."""
    while True:
        for sampler in samplers:
            sampler.sample()
        left = deadline - time.monotonic()
        if left <= 0:
            return
        await asyncio.sleep(min(every_s, left))


async def _after(delay_s: float, work: Awaitable[T]) -> T:
    await asyncio.sleep(delay_s)
    return await work


async def _signed_in(walkers: Sequence[Walker], options: Options) -> list[Walker]:
    """Every session signs in, spread over the ramp; those that could not are left out."""
    spacing = options.ramp_s / len(walkers)
    done = await asyncio.gather(*(_after(n * spacing, w.sign_in(options.timeout_s))
                                  for n, w in enumerate(walkers)))
    return [w for w, ok in zip(walkers, done, strict=True) if ok]


async def _walk_all(walkers: Sequence[Walker], options: Options,
                    samplers: list[TreeSampler]) -> None:
    """Walk until the deadline while sampling the processes."""
    walk = WalkOptions(think_s=options.think_s, timeout_s=options.timeout_s,
                       deadline=time.monotonic() + options.duration_s)
    sampling = asyncio.create_task(_sample_until(samplers, options.sample_s, walk.deadline))
    # Started a little apart, so that the sessions do not click in step.
    spacing = (options.think_s + 0.5) / max(1, len(walkers))
    await asyncio.gather(*(_after(n * spacing, w.walk(walk)) for n, w in enumerate(walkers)))
    await sampling


def client_of(options: Options, session: int) -> str:
    """ws or browser; with --client both, every other session is a browser tab."""
    if options.client == "both":
        return "browser" if session % 2 else "ws"
    return options.client


async def run(options: Options, accounts: list[Account], recorders: dict[str, Recorder],
              samplers: list[TreeSampler]) -> int:
    """Sign every session in, walk for the duration; the whole walks done."""
    async with AsyncExitStack() as stack:
        browser = None
        if "browser" in recorders:
            from playwright.async_api import async_playwright

            from bench.load_test_browser import launch

            playwright = await stack.enter_async_context(async_playwright())
            browser = await launch(playwright)
            stack.push_async_callback(browser.close)
        walkers = [_walker(n, client_of(options, n), options, account, recorders, browser)
                   for n, account in enumerate(accounts)]
        signed = await _signed_in(walkers, options)
        if signed:
            await _walk_all(signed, options, samplers)
        return sum(w.walks for w in signed)


def _walker(n: int, kind: str, options: Options, account: Account,
            recorders: dict[str, Recorder], browser: Any) -> Walker:
    url = options.urls[n % len(options.urls)]
    if kind == "browser":
        from bench.load_test_browser import BrowserWalk

        return BrowserWalk(n, url, account, recorders[kind], browser)
    return SessionWalk(n, url, account, recorders[kind])


def capacity(recorders: dict[str, Recorder], servers: dict[str, dict[str, float]],
             options: Options) -> dict[str, dict[str, float]]:
    """Each server's CPU per page walked, and how many people of this walk one process
    would serve at BUSY_PERCENT of a core: each asks for a page every (think + this run's
    median wait) seconds. An estimate: it takes CPU per page as constant."""
    walked = sum((r.pages_of for r in recorders.values()), Counter[int]())
    waits = [ms for r in recorders.values() for step in STEPS for ms in r.waits[step]]
    if not waits:
        return {}
    every_s = options.think_s + percentile(waits, 0.5) / 1000
    estimates = {}
    for n, url in enumerate(options.urls):
        usage = servers.get(url) or {}
        pages = sum(walked[s] for s in range(n, options.sessions, len(options.urls)))
        if pages and usage.get("cpu_mean_percent"):
            cpu_s = usage["cpu_mean_percent"] / 100 * usage["seconds"] / pages
            estimates[url] = {"cpu_ms_per_page": 1000 * cpu_s,
                              "sessions_at_busy_cpu": BUSY_PERCENT / 100 * every_s / cpu_s}
    return estimates


def measure(options: Options) -> dict[str, Any]:
    accounts = (ensure_accounts(options.db, options.sessions) if options.db
                else demo_accounts(options.sessions))
    kinds = {client_of(options, n) for n in range(options.sessions)}
    recorders: dict[str, Recorder] = {k: Recorder() for k in ("ws", "browser") if k in kinds}
    servers = server_samplers(options)
    client = TreeSampler(os.getpid())  # with its children: the browser, in browser mode
    sampled = [s for s in servers.values() if s is not None] + [client]
    load_before = os.getloadavg()[0]
    walks = asyncio.run(run(options, accounts, recorders, sampled))
    context = {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
               "client": options.client, "sessions": options.sessions, "urls": options.urls,
               "duration_s": options.duration_s, "think_s": options.think_s, "loops": walks,
               "accounts": "created in --db" if options.db else "demo tenant admins",
               "server_pids": {u: s.root for u, s in servers.items() if s},
               "cpus": os.cpu_count(), "python": platform.python_version(),
               # the machine's 1-minute load average: other work competes for its cores
               "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
               "streamlit": streamlit.__version__}
    measured = results(recorders, context,
                       {u: s.summary() if s else {} for u, s in servers.items()},
                       client.summary())
    context["capacity"] = capacity(recorders, measured["servers"], options)
    return measured


def main(argv: Sequence[str] | None = None) -> int:
    options, path = parse(argv)
    measured = measure(options)
    print(context_line(measured["context"]))
    print(table(measured))
    for url, estimate in measured["context"]["capacity"].items():
        print(f"{url}: {estimate['cpu_ms_per_page']:.0f} ms of server CPU per page; at this "
              f"pace one process would serve about {estimate['sessions_at_busy_cpu']:.0f} "
              f"sessions at {BUSY_PERCENT:.0f}% of a core")
    if path is not None:
        write_json(measured, path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
