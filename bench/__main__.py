"""`python -m bench --db URL --tenants T --conversations C [--json FILE]`"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from bench.report import context_line, table, write_json
from bench.run import Options, run

# Generated files are kept here between runs (the same arguments give the same files).
DEFAULT_DATA_DIR = Path(tempfile.gettempdir()) / "licensing_bench"
DEFAULT_SEED = 20261129


def parse(argv: Sequence[str] | None) -> tuple[Options, Path | None]:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--db", required=True, help="database URL (it is filled from empty)")
    parser.add_argument("--tenants", type=int, required=True)
    parser.add_argument("--conversations", type=int, required=True)
    parser.add_argument("--json", type=Path, help="write the measures to this file")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR,
                        help="where generated files are kept (default: %(default)s)")
    parser.add_argument("--anchor", type=date.fromisoformat,
                        default=datetime.now(UTC).date(),
                        help="the 'today' of the data (default: today, so that the term is "
                             "current when the pages render)")
    parser.add_argument("--reset", action="store_true",
                        help="drop the application's tables of --db first")
    parser.add_argument("--no-pages", action="store_true", help="skip the AppTest renders")
    parser.add_argument("--import-jobs", type=int, default=0,
                        help="conversations files imported side by side, each tenant's in one "
                             "process (default: one per core)")
    args = parser.parse_args(argv)
    if args.tenants < 1 or args.conversations < args.tenants:
        parser.error("need at least one tenant and one conversation per tenant")
    if args.import_jobs < 0:
        parser.error("--import-jobs must be 1 or more")
    options = Options(url=args.db, tenants=args.tenants, conversations=args.conversations,
                      seed=args.seed, data_dir=args.data_dir, reset=args.reset,
                      anchor=args.anchor, pages=not args.no_pages, checkpoint=args.json,
                      import_jobs=args.import_jobs)
    return options, args.json


def main(argv: Sequence[str] | None = None) -> int:
    options, path = parse(argv)
    results = run(options)
    print(context_line(results))
    print(table(results))
    if path is not None:
        write_json(results, path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
