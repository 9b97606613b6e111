"""A small run of the import's stage profile: every stage of the pipeline is timed.

Run in a child process, as the profile wraps the pipeline's functions for good.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_small_profile_times_every_stage_of_the_import(tmp_path: Path):
    done = subprocess.run(
        [sys.executable, "-m", "bench.profile_import", "--db",
         f"sqlite:///{tmp_path / 'profile.db'}", "--tenants", "3", "--conversations", "3000",
         "--data-dir", str(tmp_path / "data"), "--anchor", "2026-06-15"],
        capture_output=True, text=True, timeout=300, check=False, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert "3 files, 3,000 rows: import" in done.stdout
    stages = {stage: float(ms) for stage, ms in re.findall(
        r"^\| ([a-z ,]+) \| [\d.]+ \| ([\d.-]+) \|", done.stdout, re.MULTILINE)}
    assert set(stages) == {"read", "check", "store", "sessionize", "count and alert",
                           "transaction, commit"}
    assert all(stages[s] > 0 for s in ("read", "check", "store", "sessionize"))
    assert re.search(r"import_vs_baseline 0\.\d\d", done.stdout)
