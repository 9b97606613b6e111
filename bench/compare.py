"""Runs side by side: `python -m bench.compare RUN.json [RUN.json ...]` prints one Markdown
table with a column per run (the tables of bench/RESULTS.md are made this way)."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.report import MEASURED_KEYS, TARGETS, goal_text, met, number


def _heading(results: dict[str, Any]) -> str:
    ctx = results["context"]
    return (f"{ctx['database']} {ctx['tenants']:,} tenants / "
            f"{ctx['conversations'] / 1e6:g}M conversations")


def _cell(results: dict[str, Any], key: str) -> str:
    if key not in results:
        return "not reached"
    verdict = met(key, results[key], results["context"]["database"])
    return f"{number(results[key])}" + (f" ({verdict})" if verdict else "")


def compare(runs: Sequence[dict[str, Any]]) -> str:
    lines = ["| measure | target | " + " | ".join(_heading(r) for r in runs) + " |",
             "|---|---|" + "---:|" * len(runs)]
    for key in MEASURED_KEYS:
        unit = TARGETS[key][2]
        goal = goal_text(key).removesuffix(f" {unit}")
        lines.append(f"| {key} ({unit}) | {goal} | "
                     + " | ".join(_cell(r, key) for r in runs) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    paths = list(argv if argv is not None else sys.argv[1:])
    runs = [json.loads(Path(p).read_text(encoding="utf-8")) for p in paths]
    print(compare(runs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
