"""One benchmark run, step by step, on a database that it fills from empty."""

from __future__ import annotations

import os
import platform
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

from bench import baseline, load, probes
from bench.generate import Dataset, generate
from bench.load_test_procs import parent_of, tree_cpu_s
from bench.measure import in_child, in_children, median_ms, timed
from bench.report import write_json
from licensing_core.db.engine import Database
from licensing_core.db.models import UsageSession
from licensing_core.services.imports import import_conversations

# Latency probes repeat fewer times than the default where one run takes seconds.
SLOW_REPEATS = 3


@dataclass(frozen=True)
class Options:
    url: str
    tenants: int
    conversations: int
    seed: int
    data_dir: Path
    reset: bool
    anchor: date
    pages: bool = True
    checkpoint: Path | None = None  # the measures so far are written here after each step
    import_jobs: int = 0  # imports side by side (0: see import_processes)


def log(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def _database(options: Options) -> Database:
    db = Database(options.url)
    if options.reset:
        load.reset(db)
    db.upgrade()
    if load.existing_tenants(db):
        raise SystemExit(f"{db.safe_url} already holds tenants: the benchmark fills an empty "
                         "database (pass --reset to empty this one first)")
    return db


def _load(db: Database, dataset: Dataset, now: datetime, jobs: int,
          out: dict[str, Any]) -> None:
    """The baseline, the tenants and users, the import; then the baseline again, and the
    faster of its two runs is the one compared with: a machine whose speed drifts within
    minutes (by a third, on the sixth round's) would otherwise flatter the import when the
    baseline ran in a slow spell."""
    files = [(p.tenant_id, f) for p in dataset.tenants for f in dataset.conversation_files(p)]
    log(f"baseline: bulk-loading {dataset.conversations:,} rows from {len(files)} files")
    server = _local_server(db)
    with _server_cpu(server, out["context"], "baseline_server_cpu_s"):
        rows, seconds = baseline.bulk_load(db, files)
    out["baseline_rows_per_s"] = rows / seconds
    log("creating tenants and importing users")
    _, out["context"]["setup_s"] = timed(lambda: load.create_tenants(db, dataset, now))
    users, seconds = timed(lambda: load.import_all_users(db, dataset, now))
    out["context"]["users"] = users
    out["context"]["users_import_rows_per_s"] = users / seconds
    lanes = load.lanes(files, jobs)
    with _server_cpu(server, out["context"], "import_server_cpu_s"):
        log(f"importing {len(files)} files in {len(lanes)} child process(es) side by side, "
            "each tenant's in one of them")
        children, wall = timed(lambda: in_children(load.import_jobs, [
            (options_url(db), lane, now) for lane in lanes]))
    run = load.combined([c.value for c in children], wall)
    log("baseline again, after the import")
    again, again_s = baseline.bulk_load(db, files)
    runs = [out["baseline_rows_per_s"], again / again_s]
    out["context"]["baseline_runs_rows_per_s"] = runs
    out["baseline_rows_per_s"] = max(runs)
    out["import_rows_per_s"] = run.rows / run.seconds
    out["import_vs_baseline"] = out["import_rows_per_s"] / out["baseline_rows_per_s"]
    out["import_peak_mb"] = max(c.peak_mb for c in children)  # the largest file's process
    out["context"].update(imported_rows=run.rows, import_s=run.seconds, import_jobs=len(lanes),
                          import_lane_s=[round(c.value.seconds, 1) for c in children],
                          import_python_cpu_s=run.cpu_seconds, alerts_queued=run.alerts)


def _local_server(db: Database) -> int | None:
    """The PostgreSQL server's main process when it runs on this machine (its CPU is then
    read from /proc), else None."""
    if not db.is_postgres:
        return None
    with db.engine.connect() as connection:
        backend = int(connection.scalar(text("SELECT pg_backend_pid()")) or 0)
    try:
        local = Path(f"/proc/{backend}/comm").read_text(encoding="ascii").strip() == "postgres"
    except OSError:
        return None
    return parent_of(backend) if local else None


@contextmanager
def _server_cpu(server: int | None, context: dict[str, Any], key: str) -> Iterator[None]:
    """The server's CPU seconds over the block into context[key] (nothing without them)."""
    before = tree_cpu_s(server) if server else None
    yield
    after = tree_cpu_s(server) if server else None
    if before is not None and after is not None:
        context[key] = after - before


def import_processes(options: Options) -> int:
    """Imports side by side: the option, else one per core. On SQLite too: its one writer
    stores one import at a time, while the other process reads, checks and sessionizes
    its next file before it waits for the lock (bench/RESULTS.md, sixth round)."""
    return options.import_jobs or os.cpu_count() or 1


def settle(db: Database) -> float:
    """On PostgreSQL, what autovacuum does within a minute of a bulk load (statistics for
    the planner, visibility maps for index-only scans), done at once so that the probes
    see a settled database. SQLite keeps no statistics unless asked; it is left as is."""
    if not db.is_postgres:
        return 0.0
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        _, seconds = timed(lambda: connection.execute(text("VACUUM (ANALYZE)")))
    return seconds


def options_url(db: Database) -> str:
    return db.engine.url.render_as_string(hide_password=False)


def _probe(db: Database, dataset: Dataset, now: datetime, out: dict[str, Any]) -> None:
    tenant = dataset.largest.tenant_id
    log("incremental import of 10,000 conversations into the largest tenant")
    summary, out["incremental_import_s"] = timed(lambda: import_conversations(
        db, tenant_id=tenant, path=dataset.incremental_file, actor=load.ACTOR, now=now))
    out["context"]["incremental_rows"] = summary.stored
    log("sessionize alone")
    run = probes.sessionize_tenant(db, tenant)
    out["sessionize_rows_per_s"] = run.rows / run.seconds
    term_id = probes.current_term_id(db, tenant, now)
    log("summary and history queries")
    out["summary_ms"] = median_ms(lambda: probes.summary(db, tenant, now))
    out["history_first_page_ms"] = median_ms(lambda: probes.first_page(db, tenant, term_id))
    day_to = dataset.anchor - timedelta(days=1)
    out["history_filtered_ms"] = median_ms(lambda: probes.filtered_page(
        db, tenant, term_id, day_to - timedelta(days=29), day_to))
    log("export and COPY")
    target = dataset.directory / "export.csv"
    export = in_child(probes.export_to_file, options_url(db), tenant, term_id, str(target))
    copy = probes.copy_to_file(db, tenant, term_id, dataset.directory / "copy.csv")
    out["export_rows_per_s"] = export.value.rows / export.value.seconds
    out["export_peak_mb"] = export.peak_mb
    out["export_vs_copy"] = out["export_rows_per_s"] / (copy.rows / copy.seconds)
    out["context"].update(export_rows=export.value.rows, copy_rows=copy.rows,
                          copy_rows_per_s=copy.rows / copy.seconds)
    log("alert evaluation for every tenant")
    out["alerts_eval_ms"] = median_ms(lambda: probes.evaluate_all_tenants(db, now),
                                      SLOW_REPEATS)


def _pages(db: Database, out: dict[str, Any]) -> None:
    from bench import pages  # Streamlit is imported here only, never by the child processes

    log("rendering the pages through AppTest")
    times = pages.render_pages(options_url(db), load.ADMIN_USERNAME, load.ADMIN_PASSWORD)
    out["page_subscription_ms"] = times.subscription_ms
    out["page_history_ms"] = times.history_ms
    out["context"].update(page_subscription_warm_ms=times.subscription_warm_ms,
                          page_history_warm_ms=times.history_warm_ms)


def _server_version(db: Database) -> str:
    with db.engine.connect() as connection:
        if db.is_postgres:
            return str(connection.scalar(text("SHOW server_version")))
        return "SQLite " + str(connection.scalar(text("SELECT sqlite_version()")))


def _checkpoint(options: Options, out: dict[str, Any]) -> None:
    """Keep what is measured so far, so that a run stopped by its time budget still tells."""
    if options.checkpoint is not None:
        write_json(out, options.checkpoint)


def run(options: Options) -> dict[str, Any]:
    started = time.perf_counter()
    now = datetime(options.anchor.year, options.anchor.month, options.anchor.day, 12)
    db = _database(options)
    log(f"generating {options.conversations:,} conversations for {options.tenants} tenants")
    dataset, generate_s = timed(lambda: generate(
        options.data_dir, tenants=options.tenants, conversations=options.conversations,
        seed=options.seed, anchor=options.anchor))
    out: dict[str, Any] = {"context": {
        "database": "PostgreSQL" if db.is_postgres else "SQLite",
        "server": _server_version(db), "tenants": options.tenants,
        "conversations": dataset.conversations, "seed": options.seed,
        "anchor": options.anchor.isoformat(), "largest_tenant": dataset.largest.tenant_id,
        "largest_tenant_conversations": dataset.largest.conversations,
        "cpus": os.cpu_count(), "python": platform.python_version(),
        "generate_s": generate_s, "data_dir": str(dataset.directory),
        "load_average_at_start": os.getloadavg()[0],
    }}
    _load(db, dataset, now, import_processes(options), out)
    _checkpoint(options, out)
    log("vacuum and analyze (PostgreSQL)")
    out["context"]["vacuum_analyze_s"] = settle(db)
    _probe(db, dataset, now, out)
    _checkpoint(options, out)
    if options.pages:
        _pages(db, out)
    with db.transaction() as session:
        out["context"]["sessions"] = int(session.scalar(
            select(func.count()).select_from(UsageSession)) or 0)
    out["context"]["total_s"] = time.perf_counter() - started
    out["context"]["load_average_at_end"] = os.getloadavg()[0]
    db.dispose()
    return out
