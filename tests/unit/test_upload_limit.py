"""The dashboard's upload limit holds the largest file the Import page is for (a
1,000,000-row conversations file, as the benchmark imports) and no more than needed:
Streamlit keeps every upload in memory, and anyone reaching the sign-in page can send one."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

from bench.generate import MAX_FILE_ROWS, conversations_frame, plan_tenants

CONFIG = Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml"
MIB = 1024 * 1024
SAMPLE_ROWS = 20_000


def _limit_bytes() -> int:
    server = tomllib.loads(CONFIG.read_text(encoding="utf-8"))["server"]
    return int(server["maxUploadSize"]) * MIB


def test_a_million_row_conversations_file_fits_in_csv_and_json_lines():
    largest = plan_tenants(10, 10 * MAX_FILE_ROWS, seed=1)[0]
    sample = conversations_frame(largest, 1, date(2026, 8, 1), 90, SAMPLE_ROWS)
    scale = MAX_FILE_ROWS / SAMPLE_ROWS
    csv_bytes = len(sample.to_csv(index=False).encode("utf-8")) * scale
    jsonl_bytes = len(sample.to_json(orient="records", lines=True).encode("utf-8")) * scale
    assert csv_bytes < jsonl_bytes < _limit_bytes()


def test_the_limit_is_far_below_a_gibibyte():
    assert _limit_bytes() <= 256 * MIB
