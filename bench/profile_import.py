"""`python -m bench.profile_import --db URL --tenants T --conversations C`: where an import's
seconds go, stage by stage.

Fills the database as the benchmark does (baseline, tenants, users), then imports every
conversations file in this process with a timer around each stage of the pipeline
(services.imports): read, check, store, sessionize, count and alert; the rest of an
import's time is its transaction (the tenant lock, setup, commit). A stage's seconds are
its own (those of a stage it calls count as that stage's) and the importing thread's:
on PostgreSQL the server stores a chunk while the next one is read and checked, and the
store stage shows only the time spent waiting for it.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bench import baseline, load
from bench.__main__ import DEFAULT_DATA_DIR, DEFAULT_SEED
from bench.generate import generate
from licensing_core.db.engine import Database
from licensing_core.services import imports
from licensing_core.services.imports import checking, reading, sessionizing, storing

STAGES = ("read", "check", "store", "sessionize", "count and alert")
seconds: dict[str, float] = defaultdict(float)


_inner: list[float] = []  # per timed call running, the seconds of the timed calls in it


def _add(stage: str, start: float, inner: float) -> None:
    """A stage's own seconds: those of the stages it calls count as theirs."""
    spent = time.perf_counter() - start
    seconds[stage] += spent - inner
    if _inner:
        _inner[-1] += spent


def _timed(stage: str, work: Callable[..., Any]) -> Callable[..., Any]:
    def run(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        _inner.append(0.0)
        try:
            return work(*args, **kwargs)
        finally:
            _add(stage, start, _inner.pop())
    return run


def _timed_chunks(work: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
    def chunks(*args: Any, **kwargs: Any) -> Iterator[Any]:
        source = work(*args, **kwargs)
        while True:
            start = time.perf_counter()
            try:
                chunk = next(source)
            except StopIteration:
                _add("read", start, 0.0)
                return
            _add("read", start, 0.0)
            yield chunk
    return chunks


def instrument() -> None:
    """Wrap each stage's entry points (the pipeline looks them up when it runs)."""
    reading.chunks = _timed_chunks(reading.chunks)
    for check in (checking.ConversationsCheck, checking.UsersCheck):
        check.rows = _timed("check", check.rows)  # type: ignore[method-assign]
    checking.ConversationsCheck.against_stored = _timed(  # type: ignore[method-assign]
        "check", checking.ConversationsCheck.against_stored)
    for name in ("add", "pause", "close"):
        setattr(storing.ConversationsStore, name,
                _timed("store", getattr(storing.ConversationsStore, name)))
    for name in ("add", "appended"):  # keeping the rows, the sessions begun ahead
        setattr(sessionizing.KeptRows, name,
                _timed("sessionize", getattr(sessionizing.KeptRows, name)))
    begun_ahead = sessionizing.FileAhead.of  # before the lock
    sessionizing.FileAhead.of = staticmethod(  # type: ignore[method-assign]
        _timed("sessionize", begun_ahead))
    made_ready = storing.ConversationRows.of  # in the store, or ahead of the lock
    storing.ConversationRows.of = staticmethod(  # type: ignore[method-assign]
        _timed("store", made_ready))
    imports.rebuild = _timed("sessionize", imports.rebuild)
    imports.finish = _timed("count and alert", imports.finish)


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.profile_import", description=__doc__)
    parser.add_argument("--db", required=True, help="database URL (it is emptied first)")
    parser.add_argument("--tenants", type=int, required=True)
    parser.add_argument("--conversations", type=int, required=True)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--anchor", type=date.fromisoformat, default=date(2026, 12, 1))
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    now = datetime(args.anchor.year, args.anchor.month, args.anchor.day, 12)
    db = Database(args.db)
    load.reset(db)
    db.upgrade()
    dataset = generate(args.data_dir, tenants=args.tenants, conversations=args.conversations,
                       seed=args.seed, anchor=args.anchor)
    files = [(p.tenant_id, f) for p in dataset.tenants for f in dataset.conversation_files(p)]
    rows, baseline_s = baseline.bulk_load(db, files)
    load.create_tenants(db, dataset, now)
    load.import_all_users(db, dataset, now)
    instrument()
    start, cpu = time.perf_counter(), time.process_time()
    for tenant_id, path in files:
        imports.import_conversations(db, tenant_id=tenant_id, path=path, actor=load.ACTOR,
                                     now=now)
    total, cpu = time.perf_counter() - start, time.process_time() - cpu
    db.dispose()
    print(f"{len(files)} files, {rows:,} rows: import {total:.1f} s ({rows / total:,.0f} rows/s,"
          f" Python CPU {cpu:.1f} s), baseline {baseline_s:.1f} s ({rows / baseline_s:,.0f} "
          f"rows/s), import_vs_baseline {baseline_s / total:.2f}")
    print("| stage | s | ms a file | share |\n|---|---:|---:|---:|")
    rest = total - sum(seconds.values())
    for stage, value in [*((s, seconds[s]) for s in STAGES), ("transaction, commit", rest)]:
        print(f"| {stage} | {value:.1f} | {value / len(files) * 1000:.1f} | {value / total:.0%} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
