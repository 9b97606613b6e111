"""Checking the rows of a usage file, one chunk at a time, with vectorised rules.

A check returns the rows that pass, normalised for storing, and one reason per failed
check and row; `ErrorReport` turns the reasons into the `FILE:LINE: reason` lines that a
person reads. Nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from licensing_core.db.models import Conversation, PlatformUser
from licensing_core.domain.arrow import arrow_texts
from licensing_core.domain.emails import email_problem
from licensing_core.domain.kinds import UserStatus
from licensing_core.domain.limits import FIRST_INSTANT, LAST_INSTANT, RANGE_TEXT
from licensing_core.ingest.readers import LINE, field_name, without_rows

USER_FIELDS = ["user_id", "user_name", "email", "first_name", "last_name", "role", "status"]
USER_TEXT_FIELDS = ["user_name", "email", "first_name", "last_name", "role"]
CONVERSATION_FIELDS = ["conversation_id", "user_id", "started_at", "ended_at", "agent_name",
                       "channel", "initiated_by", "messages"]
CONVERSATION_REQUIRED = ["conversation_id", "user_id", "started_at", "agent_name", "channel"]
# What makes two rows of the same conversation_id "the same conversation".
CONVERSATION_CONTENT = ["user_id", "started_at", "ended_at", "agent_name", "channel",
                        "initiated_by", "messages"]
DEFAULT_INITIATED_BY = "User"
# A person fixes a file from the first errors; past this many lines the rest are counted.
MAX_REPORTED_ERRORS = 1000
# Longest value quoted back in a message, so one wild cell does not flood the report.
SHOWN_VALUE_CHARS = 60
# messages is stored in a 32-bit INTEGER column.
MAX_MESSAGES = 2**31 - 1
_STATUSES = {status.lower(): status for status in UserStatus}
# A time part followed by Z or +hh[:mm] / -hh[:mm]: the instant is absolute. The patterns
# here are RE2's (pyarrow's), where \d is 0-9 only.
_OFFSET = r"\d[T ]\d.*(?:[zZ]|[+-]\d{2}(?::?\d{2})?)$"
# The usual absolute time of a usage file: to the second or the microsecond, with Z or
# +hh:mm. pyarrow's cast reads these as pandas does (a property test compares them) in a
# tenth of the time; pandas reads every other text.
_PLAIN_ABSOLUTE = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})$"
_NAT = np.datetime64("NaT", "us")


def _max_lengths(table: object, fields: Iterable[str]) -> dict[str, int]:
    columns = table.__table__.c  # type: ignore[attr-defined]
    return {f: columns[f].type.length for f in fields
            if f in columns and getattr(columns[f].type, "length", None)}


USER_MAX_LENGTHS = _max_lengths(PlatformUser, USER_FIELDS)
CONVERSATION_MAX_LENGTHS = _max_lengths(Conversation, CONVERSATION_FIELDS)


def shown(value: object) -> str:
    """A value quoted in a message, shortened when long."""
    text = str(value)
    if len(text) > SHOWN_VALUE_CHARS:
        text = text[:SHOWN_VALUE_CHARS - 3] + "..."
    return repr(text)


# The text checks call pyarrow's kernels on the column's Arrow array (arrow_texts):
# through pandas each regex would also be parsed again by Python's re on every call.

def text_lengths(values: pd.Series) -> np.ndarray:
    """The characters of each text, 0 where the file gives none."""
    lengths = pc.utf8_length(arrow_texts(values))
    return np.asarray(pc.fill_null(lengths, 0), dtype=np.int64)


def given(values: pd.Series) -> np.ndarray:
    """Rows where the file gives a non-empty value."""
    return text_lengths(values) > 0


def matching(values: pd.Series | pa.Array, pattern: str) -> np.ndarray:
    """Texts in which the RE2 `pattern` matches (anchor it with ^ and $); False where none."""
    found = pc.match_substring_regex(arrow_texts(values), pattern)
    return np.asarray(pc.fill_null(found, False), dtype=bool)


def _lengths_of(rows: pd.DataFrame, names: Iterable[str]) -> dict[str, np.ndarray]:
    return {name: text_lengths(rows[name]) for name in names}


class RowProblems:
    """Reasons why rows of one chunk fail, gathered check by check."""

    def __init__(self, lines: np.ndarray) -> None:
        self.lines = lines
        self.bad = np.zeros(len(lines), dtype=bool)
        self._lines: list[np.ndarray] = []
        self._reasons: list[list[str]] = []

    def add(self, mask: np.ndarray, reason: str | pd.Series) -> None:
        """Flag the rows of `mask`; a Series reason holds one text per flagged row's label."""
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        rows = np.flatnonzero(mask)
        self.bad |= mask
        self._lines.append(self.lines[rows])
        if isinstance(reason, str):
            self._reasons.append([reason] * len(rows))
        else:
            self._reasons.append(reason.reindex(rows).astype(str).tolist())

    def problems(self) -> list[tuple[int, str]]:
        """(line, reason) pairs in line order, a row's reasons in the order checked."""
        pairs = [(int(line), reason) for lines, reasons in zip(self._lines, self._reasons,
                                                               strict=True)
                 for line, reason in zip(lines, reasons, strict=True)]
        return sorted(pairs, key=lambda pair: pair[0])


@dataclass
class Checked:
    rows: pd.DataFrame  # rows that pass every check, normalised for storing
    problems: list[tuple[int, str]]


def _check_required(lengths: dict[str, np.ndarray], fields: Iterable[str],
                    problems: RowProblems) -> None:
    for name in fields:
        problems.add(lengths[name] == 0, f"{name} is required")


def _check_lengths(lengths: dict[str, np.ndarray], limits: dict[str, int],
                   problems: RowProblems) -> None:
    for name, limit in limits.items():
        problems.add(lengths[name] > limit, f"{name} is longer than {limit} characters")


def _check_repeated_header(rows: pd.DataFrame, key: str, lengths: np.ndarray,
                           problems: RowProblems) -> None:
    """A row whose key reads as the key's own column name: the header again, as when two
    exports are joined into one file; said plainly instead of as a row of odd values."""
    values = rows[key]
    candidate = lengths == len(key)
    if candidate.any():
        candidate[candidate] = values[candidate].map(field_name).to_numpy() == key
        problems.add(candidate, "repeats the header row (were two files joined into one?)")


def check_users(rows: pd.DataFrame) -> Checked:
    """Users rows: user_id required, a valid email when given, Active or Inactive.

    In the result, a NaN field is one the file does not give (an update keeps it), and
    status is capitalised, or NaN when empty (a new user is then Active).
    """
    problems = RowProblems(rows[LINE].to_numpy())
    lengths = _lengths_of(rows, ["user_id", *USER_MAX_LENGTHS])
    _check_repeated_header(rows, "user_id", lengths["user_id"], problems)
    _check_required(lengths, ["user_id"], problems)
    _check_lengths(lengths, USER_MAX_LENGTHS, problems)
    status = rows["status"].str.lower().map(_STATUSES)
    bad_status = given(rows["status"]) & status.isna().to_numpy()
    problems.add(bad_status, "status must be Active or Inactive, not "
                 + rows["status"][bad_status].map(shown))
    emails = rows["email"]
    has_email = given(emails)
    if has_email.any():
        reasons = {value: email_problem(value) for value in pd.unique(emails[has_email])}
        why = emails.where(has_email).map(reasons)
        bad_email = why.notna().to_numpy(dtype=bool)
        problems.add(bad_email, "email: " + why[bad_email].astype(str))
    normalised = rows.assign(status=status.astype("str"))
    return Checked(without_rows(normalised, problems.bad), problems.problems())


def parse_times(values: pd.Series, timezone: ZoneInfo,
                far: np.ndarray | None = None) -> np.ndarray:
    """ISO 8601 texts as naive-UTC datetime64[us]; without an offset, in `timezone`.

    NaT where no value is given or it cannot be read. A local time that a clock change
    repeats is its first occurrence; one that it skips is moved forward past the gap.
    A year far outside the stored range is not parsed (no calendar overflows on it): see
    `outside_range`; `far`, when given, is `_far_year(values)` already computed.
    """
    result = np.full(len(values), _NAT)
    present = given(values) & ~(_far_year(values) if far is None else far)
    plain = present & matching(values, _PLAIN_ABSOLUTE)
    if plain.any() and (instants := _plain_instants(values, plain)) is not None:
        result[plain] = instants
        present &= ~plain
    absolute = present & matching(values, _OFFSET) if present.any() else present
    local = present & ~absolute
    if absolute.any():
        parsed = pd.to_datetime(values[absolute], format="ISO8601", utc=True, errors="coerce")
        result[absolute] = parsed.dt.tz_localize(None).to_numpy(dtype="datetime64[us]")
    if local.any():
        parsed = pd.to_datetime(values[local], format="ISO8601", errors="coerce")
        if parsed.dt.tz is None and timezone.key != "UTC":
            parsed = parsed.dt.tz_localize(timezone, ambiguous=np.ones(len(parsed), dtype=bool),
                                           nonexistent="shift_forward")
        if parsed.dt.tz is not None:
            parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
        result[local] = parsed.to_numpy(dtype="datetime64[us]")
    return result


def _plain_instants(values: pd.Series, plain: np.ndarray) -> np.ndarray | None:
    """The _PLAIN_ABSOLUTE texts of `plain` as naive UTC, by pyarrow's cast; None when it
    refuses one of them (a day or an hour that does not exist: pandas then tells)."""
    texts = pc.filter(arrow_texts(values), pa.array(plain))
    try:
        instants = pc.cast(texts, pa.timestamp("us", tz="UTC"))
    except pa.ArrowInvalid:
        return None
    return np.asarray(instants.cast(pa.int64())).view("datetime64[us]")


def _numbers_where(values: pd.Series | pa.Array, where: np.ndarray) -> np.ndarray:
    """The texts of the rows of `where` (digits 0-9 only) as whole numbers, by pyarrow's
    cast of those texts alone; 0 on the other rows."""
    numbers = np.zeros(len(where), dtype=np.int64)
    if where.any():
        numbers[where] = np.asarray(pc.cast(pc.filter(arrow_texts(values), pa.array(where)),
                                            pa.int64()))
    return numbers


def _far_year(values: pd.Series) -> np.ndarray:
    """Texts that start with a year more than a day away from the stored range."""
    texts = arrow_texts(values)
    digits = matching(texts, r"^\d{4}")
    years = _numbers_where(pc.utf8_slice_codeunits(texts, 0, 4), digits)
    far = (years < FIRST_INSTANT.year - 1) | (years > LAST_INSTANT.year)
    return (digits & far) | matching(texts, r"^\d{5}")


def outside_range(values: pd.Series, parsed: np.ndarray,
                  far: np.ndarray | None = None) -> np.ndarray:
    """Given times outside FIRST_INSTANT .. LAST_INSTANT (or with a year far outside)."""
    known = ~np.isnat(parsed)
    instants = parsed.astype("datetime64[us]")
    early = known & (instants < np.datetime64(FIRST_INSTANT, "us"))
    late = known & (instants > np.datetime64(LAST_INSTANT, "us"))
    far = _far_year(values) if far is None else far
    return given(values) & (far | early | late)


def _messages(values: pd.Series, problems: RowProblems) -> pd.Series:
    present = given(values)
    digits = matching(values, r"^\d{1,10}$")
    numbers = _numbers_where(values, digits)
    bad = present & ~(digits & (numbers <= MAX_MESSAGES))
    if bad.any():
        problems.add(bad, "messages must be a whole number of 0 or more, not "
                     + values[bad].map(shown))
    return pd.Series(pd.arrays.IntegerArray(numbers, ~digits), index=values.index)


def check_conversations(rows: pd.DataFrame, timezone: ZoneInfo) -> Checked:
    """Conversations rows, normalised: times as naive UTC, initiated_by defaulted."""
    problems = RowProblems(rows[LINE].to_numpy())
    lengths = _lengths_of(rows, CONVERSATION_FIELDS)
    _check_repeated_header(rows, "conversation_id", lengths["conversation_id"], problems)
    _check_required(lengths, CONVERSATION_REQUIRED, problems)
    _check_lengths(lengths, CONVERSATION_MAX_LENGTHS, problems)
    far = {name: _far_year(rows[name]) for name in ("started_at", "ended_at")}
    started = parse_times(rows["started_at"], timezone, far["started_at"])
    ended = parse_times(rows["ended_at"], timezone, far["ended_at"])
    for name, parsed in (("started_at", started), ("ended_at", ended)):
        outside = outside_range(rows[name], parsed, far[name])
        if outside.any():  # the messages are built for bad rows only: most files have none
            problems.add(outside, name + " " + rows[name][outside].map(shown)
                         + f" is outside the supported range {RANGE_TEXT}")
        unreadable = (lengths[name] > 0) & np.isnat(parsed) & ~outside
        if unreadable.any():
            problems.add(unreadable, name + " " + rows[name][unreadable].map(shown)
                         + " is not an ISO 8601 time (e.g. 2026-06-01T09:30:00+02:00)")
    inverted = ~np.isnat(started) & ~np.isnat(ended) & (ended < started)
    if inverted.any():
        problems.add(inverted, "ended_at " + rows["ended_at"][inverted].map(shown)
                     + " is before started_at " + rows["started_at"][inverted].map(shown))
    messages = _messages(rows["messages"], problems)
    initiated = rows["initiated_by"].where(lengths["initiated_by"] > 0, DEFAULT_INITIATED_BY)
    normalised = pd.DataFrame({
        "conversation_id": rows["conversation_id"], "user_id": rows["user_id"],
        "started_at": started, "ended_at": ended, "agent_name": rows["agent_name"],
        "channel": rows["channel"], "initiated_by": initiated.astype("str"),
        "messages": messages, LINE: rows[LINE],
    })
    return Checked(without_rows(normalised, problems.bad), problems.problems())


def hash_text(values: pd.Series) -> np.ndarray:
    """A 64-bit hash of each value (equal values, equal hashes)."""
    text = values.astype("str").reset_index(drop=True)
    return pd.util.hash_pandas_object(text, index=False).to_numpy()


def conversation_fingerprints(rows: pd.DataFrame) -> np.ndarray:
    """One uint64 per CONVERSATION_CONTENT field and row: equal rows, equal fingerprints."""
    columns = []
    for name in CONVERSATION_CONTENT:
        values = rows[name]
        if name in ("started_at", "ended_at"):
            columns.append(values.to_numpy(dtype="datetime64[us]").view(np.int64)
                           .astype(np.uint64))
        elif name == "messages":
            columns.append(values.fillna(-1).to_numpy(dtype=np.int64).astype(np.uint64))
        else:
            columns.append(hash_text(values))
    return np.column_stack(columns) if len(rows) else np.empty((0, len(columns)), np.uint64)


class FirstSeen:
    """The keys met in earlier rows of a file, with the line and content of their first row.

    Keys are kept as 64-bit hashes in one sorted segment per chunk: about 8 bytes per row
    and content field, so a million-row file is checked for duplicates in bounded memory.
    The content can be given as a function that computes it: it is then computed only
    when a key repeats, or when a later chunk comes (for the chunk before, whose frame
    the function holds until then); a file of one chunk without a repeated key, most
    files, never computes it.
    """

    def __init__(self, content_width: int = 0) -> None:
        self.content_width = content_width
        self._segments: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._pending: tuple[np.ndarray, np.ndarray, Callable[[], np.ndarray],
                             np.ndarray] | None = None

    def check(self, keys: pd.Series, lines: np.ndarray,
              content: np.ndarray | Callable[[], np.ndarray] | None = None,
              ) -> tuple[np.ndarray, np.ndarray]:
        """For rows in line order: the line of an earlier row with the same key (0 when
        none), and which content fields differ from that row; then remember the new keys."""
        self._settle()
        hashes = hash_text(keys)
        count = len(hashes)
        earlier_line = np.zeros(count, dtype=np.int64)
        found = np.zeros(count, dtype=bool)
        found_at: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        for seen_keys, seen_lines, seen_content in self._segments:
            at = np.minimum(np.searchsorted(seen_keys, hashes), len(seen_keys) - 1)
            hit = ~found & (seen_keys[at] == hashes)
            earlier_line[hit] = seen_lines[at[hit]]
            found_at.append((hit, at, seen_content))
            found |= hit
        _, first_index, inverse = np.unique(hashes, return_index=True, return_inverse=True)
        first = first_index[inverse.ravel()]
        repeated = ~found & (first != np.arange(count))
        earlier_line[repeated] = lines[first[repeated]]
        new = np.flatnonzero(~found & ~repeated)
        order = new[np.argsort(hashes[new], kind="stable")]
        if callable(content) and not (found.any() or repeated.any()):
            if len(order):  # nothing to compare now: computed if a later chunk comes
                self._pending = (hashes[order], lines[order].astype(np.int64), content, order)
            return earlier_line, np.zeros((count, self.content_width), dtype=bool)
        values = content() if callable(content) else content
        if values is None:
            values = np.empty((count, self.content_width), dtype=np.uint64)
        earlier_content = np.zeros_like(values)
        for hit, at, seen_content in found_at:
            earlier_content[hit] = seen_content[at[hit]]
        earlier_content[repeated] = values[first[repeated]]
        if len(order):
            self._segments.append((hashes[order], lines[order].astype(np.int64),
                                   values[order]))
        return earlier_line, values != earlier_content

    def _settle(self) -> None:
        """The content of the chunk before, now that a later chunk may repeat its keys."""
        if self._pending is not None:
            hashes, lines, content, order = self._pending
            self._segments.append((hashes, lines, content()[order]))
            self._pending = None


@dataclass(frozen=True)
class ImportProblem:
    """One bad row of a file (line None: the whole file), with its reasons in words.

    Carried as data to the edges: the command line writes `FILE:LINE: reason`, the Import
    page a table of lines and problems."""

    line: int | None
    reason: str


class ErrorReport:
    """The bad rows of a file: one problem per row, the first `limit` of them kept."""

    def __init__(self, display_name: str, limit: int = MAX_REPORTED_ERRORS) -> None:
        self.display_name = display_name
        self.limit = limit
        self.bad_rows = 0
        self.problems: list[ImportProblem] = []

    def __bool__(self) -> bool:
        return self.bad_rows > 0

    @property
    def omitted(self) -> int:
        """Bad rows past the limit: counted, not listed."""
        return self.bad_rows - len(self.problems)

    def add(self, problems: Iterable[tuple[int | None, str]]) -> None:
        """Problems of one chunk; several reasons of the same row make one problem."""
        merged: dict[int | None, list[str]] = {}
        for line, reason in sorted(problems, key=lambda p: -1 if p[0] is None else p[0]):
            merged.setdefault(line, []).append(reason)
        for line, reasons in merged.items():
            self.bad_rows += 1
            if len(self.problems) < self.limit:
                self.problems.append(ImportProblem(line, "; ".join(reasons)))
