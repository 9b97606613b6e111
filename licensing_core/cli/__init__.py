"""The `licensing` command: parses arguments, calls the services, prints results.

Exit status: 0 done, 1 failed at run time, 2 refused (bad arguments or input); the reason
goes to stderr and no traceback reaches the terminal.
"""

from __future__ import annotations

import os
import sys

import typer
from sqlalchemy.exc import OperationalError

from licensing_core.cli import (
    accounts,
    alerts,
    demo,
    exports,
    ingest,
    requests,
    tenants,
    thresholds,
)
from licensing_core.db.engine import URL_VARIABLE
from licensing_core.errors import LicensingError, Refused

EXIT_FAILED = 1
EXIT_REFUSED = 2

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  help="License subscriptions: tenants, terms, refills, usage, exports, alerts.")
for module in (tenants, thresholds, requests, ingest, exports, alerts, accounts, demo):
    module.register(app)


def _take_db_option(argv: list[str]) -> list[str]:
    """`--db URL` may stand anywhere on the line; it becomes LICENSING_DATABASE_URL."""
    rest: list[str] = []
    args = iter(argv)
    for arg in args:
        if arg == "--db":
            value = next(args, None)
            if value is None:
                raise Refused("--db needs a database URL")
            os.environ[URL_VARIABLE] = value
        elif arg.startswith("--db="):
            os.environ[URL_VARIABLE] = arg[len("--db="):]
        else:
            rest.append(arg)
    return rest


def _fail(message: str, status: int) -> int:
    print(f"licensing: {message}", file=sys.stderr)
    return status


def run(argv: list[str] | None = None) -> int:
    """Run the command line and return its exit status instead of raising."""
    try:
        args = _take_db_option(list(sys.argv[1:] if argv is None else argv))
        result = app(args=args, prog_name="licensing", standalone_mode=False)
        return result if isinstance(result, int) else 0
    except typer.Abort:
        return _fail("aborted", EXIT_FAILED)
    except typer.TyperException as exc:  # usage errors of typer's own click
        show = getattr(exc, "show", None)
        if show is None:
            return _fail(str(exc), EXIT_REFUSED)
        show()
        return int(getattr(exc, "exit_code", EXIT_REFUSED))
    except Refused as exc:
        return _fail(str(exc), EXIT_REFUSED)
    except LicensingError as exc:
        return _fail(str(exc), EXIT_FAILED)
    except OperationalError as exc:
        return _fail(f"the database could not be used: {exc.orig}", EXIT_FAILED)
    except KeyboardInterrupt:
        return _fail("interrupted", EXIT_FAILED)
    except Exception as exc:  # last resort: a message, never a traceback
        return _fail(f"unexpected error ({type(exc).__name__}): {exc}", EXIT_FAILED)


def main() -> None:
    sys.exit(run())
