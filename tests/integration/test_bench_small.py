"""A small run of the benchmark on each database: every measure is there and makes sense.

Timing is the benchmark's business, not the tests': nothing here checks how fast it was.
"""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path

import pytest

from bench.__main__ import main
from bench.generate import INCREMENTAL_ROWS, generate
from bench.report import MEASURED_KEYS

TENANTS = 3
CONVERSATIONS = 3000
ANCHOR = date(2026, 6, 15)


def test_generated_data_is_the_same_for_the_same_seed(tmp_path: Path):
    one = generate(tmp_path / "one", tenants=TENANTS, conversations=CONVERSATIONS, seed=5,
                   anchor=ANCHOR)
    two = generate(tmp_path / "two", tenants=TENANTS, conversations=CONVERSATIONS, seed=5,
                   anchor=ANCHOR)
    assert one.conversations == CONVERSATIONS
    assert one.largest.conversations == max(t.conversations for t in one.tenants)
    for plan in one.tenants:
        for a, b in zip(one.conversation_files(plan), two.conversation_files(plan),
                        strict=True):
            assert a.read_bytes() == b.read_bytes()


def test_a_small_run_reports_every_measure(db_url: str, tmp_path: Path, capsys):
    out = tmp_path / "bench.json"
    assert main(["--db", db_url, "--tenants", str(TENANTS), "--conversations",
                 str(CONVERSATIONS), "--json", str(out), "--data-dir", str(tmp_path / "data"),
                 "--anchor", date.today().isoformat(), "--import-jobs", "2"]) == 0
    results = json.loads(out.read_text(encoding="utf-8"))
    printed = capsys.readouterr().out
    for key in MEASURED_KEYS:
        assert isinstance(results[key], float | int), key
        assert math.isfinite(results[key]) and results[key] > 0, key
        assert f"| {key} |" in printed
    context = results["context"]
    assert context["imported_rows"] == CONVERSATIONS
    assert context["import_jobs"] == 2  # two lanes of tenants side by side
    assert len(context["import_lane_s"]) == 2 and min(context["import_lane_s"]) > 0
    if context["database"] == "PostgreSQL":  # the server runs on this machine
        assert context["import_server_cpu_s"] > 0 and context["baseline_server_cpu_s"] > 0
    assert context["incremental_rows"] == INCREMENTAL_ROWS
    assert context["export_rows"] == context["copy_rows"] > 0
    assert 0 < context["sessions"] <= CONVERSATIONS + INCREMENTAL_ROWS
    assert results["import_vs_baseline"] == results["import_rows_per_s"] / results[
        "baseline_rows_per_s"]
    # the baseline ran before and after the import; the faster run is compared with
    before, after = context["baseline_runs_rows_per_s"]
    assert results["baseline_rows_per_s"] == max(before, after) > 0


def test_the_benchmark_refuses_a_database_that_holds_tenants(db_url: str, tmp_path: Path):
    args = ["--db", db_url, "--tenants", "1", "--conversations", "10", "--no-pages",
            "--data-dir", str(tmp_path / "data")]
    assert main(args) == 0
    with pytest.raises(SystemExit, match="already holds tenants"):
        main(args)
