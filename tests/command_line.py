"""Running `licensing ...` in-process in tests: the type of the `cli` fixture
(tests/integration/conftest.py) and a helper for commands that print JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

# cli(*args, stdin=None) -> (exit status, standard output, standard error)
Cli = Callable[..., tuple[int, str, str]]


def cli_json(cli: Cli, *args: str) -> Any:
    """The JSON a command printed; the command must succeed."""
    status, out, err = cli(*args)
    assert status == 0, err
    return json.loads(out)
