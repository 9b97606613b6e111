"""The Import page with broken and hostile files: a line-by-line report, never a failure
message, and the same verdict as the import itself (the command line's tests hold that)."""

from __future__ import annotations

import pytest

from licensing_core.queries.summary import subscription_summary
from tests.app.conftest import error_texts, texts
from tests.app.test_operator import as_root_on
from tests.integration.test_hostile_imports import CASES

SHOWN = ["unbalanced_quote.csv", "surrogate.jsonl", "year_one.csv", "year_9999.csv",
         "nul_byte.csv", "nul_escape.jsonl", "header_twice.csv"]


@pytest.mark.parametrize("name", SHOWN)
def test_a_hostile_file_gets_a_report_of_its_lines_and_no_import_button(signed_in, world,
                                                                       name):
    before = subscription_summary(world.db, "acme").consumed
    at = as_root_on(signed_in, "import_data")
    at.radio(key="import_kind").set_value("conversations").run()
    at.file_uploader(key="import_file_conversations").upload(name, CASES[name], "text/csv")
    at.run()

    assert not at.exception
    assert f"{name} cannot be imported" in error_texts(at)
    assert "went wrong" not in texts(at) + error_texts(at)
    lines = at.dataframe[0].value["Line"].tolist()
    assert lines and all(line >= 1 for line in lines)
    assert not [b for b in at.button if b.key == "import_go"]
    assert subscription_summary(world.db, "acme").consumed == before
