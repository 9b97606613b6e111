"""A short load test against a real dashboard: every page of the walk is visited by each
signed-in session and nothing fails. How fast it was is the benchmark's business: the
numbers are only checked to be measured and consistent.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bench.load_test import main
from bench.load_test_accounts import load_username
from bench.load_test_report import SIGN_IN, STEPS
from licensing_core.auth.accounts import list_accounts
from licensing_core.db.engine import Database
from tests.e2e.conftest import REPO, running_dashboard

SESSIONS = 2


def _demo(url: str) -> None:
    today = datetime.now(UTC).date().isoformat()  # the dashboard reads the real clock
    built = subprocess.run([sys.executable, "-c", "from licensing_core.cli import main; main()",
                            "--db", url, "demo", "--today", today], cwd=REPO,
                           capture_output=True, text=True, timeout=180, check=False)
    assert built.returncode == 0, built.stderr[-4000:]


def test_two_sessions_walk_every_page_of_a_running_dashboard_without_errors(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    _demo(url)
    out = tmp_path / "load.json"
    with running_dashboard(url, tmp_path / "streamlit.log") as dashboard:
        # The command itself, in its own process: as a person runs it, and away from any
        # event loop a browser test of the same worker keeps running.
        walked = subprocess.run(
            [sys.executable, "-m", "bench.load_test", "--url", dashboard, "--sessions",
             str(SESSIONS), "--duration", "10", "--think", "0.2", "--db", url,
             "--json", str(out)], cwd=REPO, capture_output=True, text=True, timeout=180,
            check=False)
        assert walked.returncode == 0, walked.stdout[-2000:] + walked.stderr[-4000:]

    measured = json.loads(out.read_text(encoding="utf-8"))
    assert measured["errors"]["ws"]["total"] == 0, measured["errors"]["ws"]["first"]
    pages = measured["pages"]["ws"]
    assert pages[SIGN_IN]["count"] == SESSIONS
    for step in STEPS:
        row = pages[step]
        assert row["count"] >= SESSIONS, (step, row)  # each session got there at least once
        assert 0 < row["p50_ms"] <= row["p95_ms"] <= row["max_ms"] < 30_000, (step, row)
    assert measured["context"]["loops"] >= SESSIONS
    server = measured["servers"][dashboard]
    assert server["cpu_mean_percent"] > 0
    assert 0 < server["rss_start_mb"] <= server["rss_max_mb"]
    assert measured["client"]["rss_max_mb"] > 0

    # Each session signed in as a tenant admin of its own, made through the account service.
    db = Database(url)
    accounts = {a.username: a for a in list_accounts(db)}
    db.dispose()
    for index, tenant_id in enumerate(["acme", "globex"]):
        account = accounts[load_username(index, tenant_id)]
        assert (account.role, account.tenant_id) == ("tenant_admin", tenant_id)


def test_the_load_test_only_sends_traffic_to_this_machine():
    with pytest.raises(SystemExit, match="on this machine"):
        main(["--url", "http://example.com:8501", "--sessions", "1", "--duration", "1"])
