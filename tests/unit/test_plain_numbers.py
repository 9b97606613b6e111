"""A number typed as text is digits 0-9 only: other scripts' digits, a superscript two
or a sign are not numbers (Python's isdigit() holds for some of them)."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from licensing_core.domain.limits import plain_whole_number


@given(st.one_of(st.text(), st.from_regex(r"\A[0-9]{1,12}\Z"),
                 st.text(alphabet="0123456789\u00b2\u0663\uff11\u0966 +-", max_size=6)))
def test_only_digits_0_to_9_are_read_as_a_whole_number(text):
    expected = int(text) if re.fullmatch(r"[0-9]+", text, flags=re.ASCII) else None
    assert plain_whole_number(text) == expected
