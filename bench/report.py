"""The run's numbers as a table (beside the targets of the issue) and as JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# key: (comparison, target, unit). Targets hold for PostgreSQL at 1,000 tenants and
# 10,000,000 conversations and for SQLite at 1,000,000, on a 2-core machine.
TARGETS: dict[str, tuple[str, float | None, str]] = {
    "import_rows_per_s": ("", None, "rows/s"),
    "baseline_rows_per_s": ("", None, "rows/s"),
    "import_vs_baseline": (">=", 0.5, "x"),
    "import_peak_mb": ("<=", 500, "MB"),
    "sessionize_rows_per_s": ("", None, "rows/s"),
    "incremental_import_s": ("<=", 2, "s"),
    "summary_ms": ("<=", 50, "ms"),
    "history_first_page_ms": ("<=", 200, "ms"),
    "history_filtered_ms": ("<=", 500, "ms"),
    "export_rows_per_s": ("", None, "rows/s"),
    "export_peak_mb": ("<=", 300, "MB"),
    "export_vs_copy": (">=", 0.5, "x"),
    "alerts_eval_ms": ("<=", 1000, "ms"),
    "page_subscription_ms": ("<=", 1000, "ms"),
    "page_history_ms": ("<=", 1000, "ms"),
}
MEASURED_KEYS = tuple(TARGETS)


def met(key: str, value: float) -> str:
    comparison, target, _ = TARGETS[key]
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
    lines = ["| measure | value | target | |", "|---|---:|---|---|"]
    for key in MEASURED_KEYS:
        comparison, target, unit = TARGETS[key]
        goal = f"{comparison} {number(target)} {unit}" if target is not None else ""
        if key not in results:
            lines.append(f"| {key} | skipped | {goal} | |")
            continue
        lines.append(f"| {key} | {number(results[key])} {unit} | {goal} | "
                     f"{met(key, results[key])} |")
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
