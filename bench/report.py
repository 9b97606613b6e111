"""The run's numbers as a table (beside the targets of the issue) and as JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# key: (comparison, target, unit). Targets hold for PostgreSQL at 1,000 tenants and
# 10,000,000 conversations and for SQLite at 1,000,000, on a 2-core machine; where SQLite's
# differs, SQLITE_TARGETS gives it.
TARGETS: dict[str, tuple[str, float | None, str]] = {
    "import_rows_per_s": ("", None, "rows/s"),
    "baseline_rows_per_s": ("", None, "rows/s"),
    "import_vs_baseline": (">=", 0.5, "x"),
    "import_peak_mb": ("<=", 500, "MB"),
    "sessionize_rows_per_s": ("", None, "rows/s"),
    "incremental_import_s": ("<=", 2, "s"),
    "summary_ms": ("<=", 50, "ms"),
    "history_first_page_ms": ("<=", 200, "ms"),
    "history_filtered_ms": ("<=", 100, "ms"),
    "export_rows_per_s": ("", None, "rows/s"),
    "export_peak_mb": ("<=", 300, "MB"),
    "export_vs_copy": (">=", 0.5, "x"),
    "alerts_eval_ms": ("<=", 1000, "ms"),
    "page_subscription_ms": ("<=", 1000, "ms"),
    "page_history_ms": ("<=", 1000, "ms"),
}
SQLITE_TARGETS: dict[str, float] = {"import_vs_baseline": 0.3, "history_filtered_ms": 50}
MEASURED_KEYS = tuple(TARGETS)


def target_of(key: str, database: str) -> float | None:
    """The target of a measure on this database ("PostgreSQL" or "SQLite")."""
    if database == "SQLite" and key in SQLITE_TARGETS:
        return SQLITE_TARGETS[key]
    return TARGETS[key][1]


def goal_text(key: str, database: str | None = None) -> str:
    """"<= 100 ms"; without a database, both where they differ: ">= 0.5 (SQLite 0.3) x"."""
    comparison, target, unit = TARGETS[key]
    if target is None:
        return ""
    if database is not None:
        return f"{comparison} {number(target_of(key, database) or 0)} {unit}"
    sqlite = f" (SQLite {number(SQLITE_TARGETS[key])})" if key in SQLITE_TARGETS else ""
    return f"{comparison} {number(target)}{sqlite} {unit}"


def met(key: str, value: float, database: str = "PostgreSQL") -> str:
    comparison = TARGETS[key][0]
    target = target_of(key, database)
    if target is None:
        return ""
    ok = value >= target if comparison == ">=" else value <= target
    return "met" if ok else "NOT met"


def number(value: float) -> str:
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def table(results: dict[str, Any]) -> str:
    """A Markdown table: measure, value, unit, target and whether it is met."""
    database = results["context"]["database"]
    lines = ["| measure | value | target | |", "|---|---:|---|---|"]
    for key in MEASURED_KEYS:
        unit = TARGETS[key][2]
        goal = goal_text(key, database)
        if key not in results:
            lines.append(f"| {key} | skipped | {goal} | |")
            continue
        lines.append(f"| {key} | {number(results[key])} {unit} | {goal} | "
                     f"{met(key, results[key], database)} |")
    return "\n".join(lines)


def context_line(results: dict[str, Any]) -> str:
    ctx = results["context"]
    return (f"{ctx['database']} · {ctx['tenants']:,} tenants · {ctx['conversations']:,} "
            f"conversations (largest tenant {ctx['largest_tenant_conversations']:,}, "
            f"{ctx['sessions']:,} sessions stored) · {ctx['cpus']} CPUs, load average "
            f"{ctx['load_average_at_start']:.1f} to {ctx['load_average_at_end']:.1f} · "
            f"run took {ctx['total_s']:.0f} s")


def write_json(results: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(results, indent=2, sort_keys=True, default=str) + "\n",
                    encoding="utf-8")
