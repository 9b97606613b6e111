"""Usage files' absolute times: the fast reading (pyarrow's cast of the usual ISO 8601
shape) gives what pandas' ISO 8601 reading of each text alone gives, valid or not."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from licensing_core.ingest.validation import parse_times

PARIS = ZoneInfo("Europe/Paris")


def _digits(low: int, high: int, width: int) -> st.SearchStrategy[str]:
    return st.integers(low, high).map(lambda n: str(n).zfill(width))


# The usual shape, with fields anywhere in their digits' range: days and hours that do
# not exist, seconds of 60 and more, offsets past a day, fractions of 1 to 6 digits.
plain_times = st.builds(
    lambda y, mo, d, h, mi, s, frac, zone: f"{y}-{mo}-{d}T{h}:{mi}:{s}{frac}{zone}",
    _digits(1970, 2099, 4), _digits(0, 13, 2), _digits(0, 32, 2), _digits(0, 25, 2),
    _digits(0, 60, 2), _digits(0, 61, 2),
    st.one_of(st.just(""), st.text("0123456789", min_size=1, max_size=6).map(lambda f: "." + f)),
    st.one_of(st.just("Z"), st.builds(lambda sign, hh, mm: f"{sign}{hh}:{mm}",
                                      st.sampled_from("+-"), _digits(0, 25, 2),
                                      _digits(0, 61, 2))),
)


def _pandas_alone(text: str) -> np.datetime64:
    parsed = pd.to_datetime(pd.Series([text], dtype="str"), format="ISO8601", utc=True,
                            errors="coerce")
    return parsed.dt.tz_localize(None).to_numpy(dtype="datetime64[us]")[0]


@settings(max_examples=300, deadline=None)
@given(st.lists(plain_times, min_size=1, max_size=20))
def test_usual_times_read_as_pandas_reads_each_alone(texts: list[str]) -> None:
    parsed = parse_times(pd.Series(texts, dtype="str"), PARIS)
    expected = np.array([_pandas_alone(t) for t in texts], dtype="datetime64[us]")
    assert [str(v) for v in parsed] == [str(v) for v in expected]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(plain_times, st.sampled_from([
    "2026-06-01T10:00:00", "2026-06-01 10:00:00+02:00", "2026-06-01T10:00:00.1234567Z",
    "2026-06-01T10:00Z", "2026-06-01T10:00:00z", "", "yesterday"])), min_size=1, max_size=20))
def test_a_chunk_reads_each_time_as_it_reads_alone(texts: list[str]) -> None:
    """Mixed with other texts (local times, other ISO shapes, none), every time of a chunk
    reads as it does alone: one text refused by the fast reading changes no other."""
    parsed = parse_times(pd.Series(texts, dtype="str"), PARIS)
    alone = [parse_times(pd.Series([t], dtype="str"), PARIS)[0] for t in texts]
    assert [str(v) for v in parsed] == [str(v) for v in alone]
