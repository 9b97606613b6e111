"""Seeded usage data: tenants of very different sizes, their users, agents, channels, and
conversations with a daily and weekly rhythm, written as the CSV files a tenant uploads.

The same (tenants, conversations, seed, anchor) always gives the same bytes, so files are
generated once under a cache directory and reused by later runs.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

# The largest tenant holds this share of all conversations (a 1,000,000-row file at 10M).
LARGEST_SHARE = 0.10
# Zipf exponent of the other tenants' sizes: a long tail of small tenants.
SIZE_EXPONENT = 0.5
# One user per this many conversations (a user talks to the assistant about every 2 days).
CONVERSATIONS_PER_USER = 40
MIN_USERS = 5
# Conversations are spread over the last HISTORY_DAYS before the anchor day; the term
# started TERM_STARTED_DAYS before it and lasts a year.
HISTORY_DAYS = 90
TERM_STARTED_DAYS = 120
TERM_DAYS = 365
# Rows per conversations file: a tenant larger than this uploads several files.
MAX_FILE_ROWS = 1_000_000
# New conversations of the largest tenant imported into the full database.
INCREMENTAL_ROWS = 10_000
# A visit is 1+ conversations of one user with one agent on one channel, minutes apart.
VISIT_CONTINUE_P = 0.5  # geometric: mean 2 conversations per visit
GAP_MEAN_S = 420.0
DURATION_MEAN_S = 240.0
WEEKEND_WEIGHT = 0.3
AGENTS = ("IT Helpdesk", "HR Assistant", "Sales Coach", "Travel Desk", "Finance Bot",
          "Legal Helper", "Onboarding", "Facilities", "Security Desk", "Procurement",
          "Payroll", "Benefits", "Customer Care", "Knowledge Base", "DevOps Bot", "Analytics")
CHANNELS = ("Web", "Teams", "Slack", "Email", "WhatsApp", "Mobile")
TIMEZONES = (("UTC", 0), ("Europe/Paris", 1), ("America/New_York", -5),
             ("Asia/Tokyo", 9), ("America/Los_Angeles", -8), ("Europe/London", 0))
FIRST_NAMES = ("Eve", "Bob", "Carol", "Dan", "Ivy", "Hank", "Gina", "Omar", "Lea", "Raj",
               "Mia", "Tom", "Zoe", "Yan", "Ana", "Ben")
LAST_NAMES = ("Adams", "Brown", "Clark", "Diaz", "Ito", "Hill", "Green", "Khan", "Lopez",
              "Moreau", "Novak", "Owens", "Park", "Quinn", "Rossi", "Smith")
ROLES = ("Employee", "Manager", "Contractor", "Admin")


@dataclass(frozen=True)
class TenantPlan:
    rank: int  # 0 is the largest tenant
    tenant_id: str
    name: str
    timezone: str
    utc_offset_h: int
    license_type: str
    licenses: int
    session_minutes: int | None
    conversations: int
    users: int
    agents: tuple[str, ...]
    channels: tuple[str, ...]


@dataclass(frozen=True)
class Dataset:
    directory: Path
    anchor: date
    term_start: date
    term_end: date
    tenants: list[TenantPlan]

    @property
    def largest(self) -> TenantPlan:
        return self.tenants[0]

    @property
    def conversations(self) -> int:
        return sum(t.conversations for t in self.tenants)

    def users_file(self, plan: TenantPlan) -> Path:
        return self.directory / f"{plan.tenant_id}_users.csv"

    def conversation_files(self, plan: TenantPlan) -> list[Path]:
        count = max(1, -(-plan.conversations // MAX_FILE_ROWS))
        return [self.directory / f"{plan.tenant_id}_conversations_{i}.csv" for i in range(count)]

    @property
    def incremental_file(self) -> Path:
        return self.directory / f"{self.largest.tenant_id}_incremental.csv"


def tenant_sizes(tenants: int, conversations: int) -> np.ndarray:
    """Conversations per tenant: the largest LARGEST_SHARE, the rest a Zipf-like tail."""
    if tenants == 1:
        return np.array([conversations])
    largest = max(LARGEST_SHARE, min(0.5, 2 / tenants))
    tail = 1 / np.arange(1, tenants) ** SIZE_EXPONENT
    shares = np.r_[largest, (1 - largest) * tail / tail.sum()]
    sizes = np.floor(shares * conversations).astype(np.int64)
    sizes[0] += conversations - sizes.sum()
    return np.maximum(sizes, 1) if conversations >= tenants else sizes


def plan_tenants(tenants: int, conversations: int, seed: int) -> list[TenantPlan]:
    rng = np.random.default_rng([seed, 0])
    plans = []
    for rank, size in enumerate(tenant_sizes(tenants, conversations).tolist()):
        session_based = rank == 0 or rng.random() < 2 / 3
        users = max(MIN_USERS, size // CONVERSATIONS_PER_USER)
        expected = size * 0.55 if session_based else users
        zone, offset = TIMEZONES[int(rng.integers(len(TIMEZONES)))]
        agents = rng.choice(len(AGENTS), int(rng.integers(3, 13)), replace=False)
        channels = rng.choice(len(CHANNELS), int(rng.integers(2, 6)), replace=False)
        plans.append(TenantPlan(
            rank=rank, tenant_id=f"t{rank:04d}", name=f"Tenant {rank:04d} Corp",
            timezone=zone, utc_offset_h=offset,
            license_type="session" if session_based else "user",
            licenses=max(1, int(expected * rng.uniform(0.9, 2.5))),
            session_minutes=int(rng.choice([15, 30, 60])) if session_based else None,
            conversations=size, users=users,
            agents=tuple(AGENTS[i] for i in sorted(agents)),
            channels=tuple(CHANNELS[i] for i in sorted(channels)),
        ))
    return plans


def user_ids(count: int) -> np.ndarray:
    return np.char.add("u", np.char.zfill(np.arange(count).astype(str), 6))


def users_frame(plan: TenantPlan, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng([seed, 1, plan.rank])
    ids = user_ids(plan.users)
    first = np.array(FIRST_NAMES)[rng.integers(len(FIRST_NAMES), size=plan.users)]
    last = np.array(LAST_NAMES)[rng.integers(len(LAST_NAMES), size=plan.users)]
    email = pd.Series(first).str.lower() + "." + pd.Series(last).str.lower() + "." + \
        pd.Series(ids) + f"@{plan.tenant_id}.example"
    return pd.DataFrame({
        "user_id": ids, "user_name": pd.Series(first) + " " + pd.Series(last),
        "email": email, "first_name": first, "last_name": last,
        "role": np.array(ROLES)[rng.choice(len(ROLES), plan.users, p=[.7, .15, .1, .05])],
        "status": np.where(rng.random(plan.users) < 0.95, "Active", "Inactive"),
    })


def _iso(seconds: np.ndarray) -> np.ndarray:
    return np.char.add(np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s"), "Z")


def conversations_frame(plan: TenantPlan, seed: int, first_day: date, days: int,
                        rows: int, id_prefix: str = "c", stream: int = 2) -> pd.DataFrame:
    """`rows` conversations of the tenant in the `days` days from `first_day`, in time order.

    Visits (1+ conversations of one user, agent and channel, minutes apart) fall on
    weekdays more than weekends, around 10:30 and 15:00 local time.
    """
    rng = np.random.default_rng([seed, stream, plan.rank])
    sizes = rng.geometric(VISIT_CONTINUE_P, rows)
    ends = np.cumsum(sizes)
    visits = int(np.searchsorted(ends, rows)) + 1
    sizes = sizes[:visits]
    sizes[-1] -= int(ends[visits - 1]) - rows
    popularity = rng.lognormal(0, 1, plan.users)
    user = rng.choice(plan.users, visits, p=popularity / popularity.sum())
    favourite_agent = rng.integers(len(plan.agents), size=plan.users)
    favourite_channel = rng.integers(len(plan.channels), size=plan.users)
    agent = np.where(rng.random(visits) < 0.8, favourite_agent[user],
                     rng.integers(len(plan.agents), size=visits))
    channel = np.where(rng.random(visits) < 0.8, favourite_channel[user],
                       rng.integers(len(plan.channels), size=visits))
    day_starts = np.datetime64(first_day, "s") + np.arange(days) * np.timedelta64(1, "D")
    weekday = (day_starts.astype("datetime64[D]").astype(np.int64) + 3) % 7  # 0 = Monday
    weight = np.where(weekday < 5, 1.0, WEEKEND_WEIGHT)
    day = rng.choice(days, visits, p=weight / weight.sum())
    peak = np.where(rng.random(visits) < 0.6, 10.5 * 3600, 15 * 3600)
    local_s = np.clip(rng.normal(peak, 5400), 0, 86399)
    visit_s = (day_starts[day].astype(np.int64) + local_s.astype(np.int64)
               - plan.utc_offset_h * 3600)
    gaps = rng.exponential(GAP_MEAN_S, rows).astype(np.int64)
    first_of_visit = np.r_[0, np.cumsum(sizes)[:-1]]
    gaps[first_of_visit] = 0
    within = np.cumsum(gaps) - np.repeat(np.cumsum(gaps)[first_of_visit], sizes)
    started = np.repeat(visit_s, sizes) + within
    order = np.argsort(started, kind="stable")
    started = started[order]
    ended = started + rng.exponential(DURATION_MEAN_S, rows).astype(np.int64)
    ended_text = np.where(rng.random(rows) < 0.9, _iso(ended), "")
    return pd.DataFrame({
        "conversation_id": np.char.add(id_prefix, np.char.zfill(np.arange(rows).astype(str), 7)),
        "user_id": user_ids(plan.users)[np.repeat(user, sizes)[order]],
        "started_at": _iso(started), "ended_at": ended_text,
        "agent_name": np.array(plan.agents)[np.repeat(agent, sizes)[order]],
        "channel": np.array(plan.channels)[np.repeat(channel, sizes)[order]],
        "initiated_by": np.where(rng.random(rows) < 0.85, "User", "Agent"),
        "messages": 1 + rng.poisson(5, rows),
    })


def _manifest(tenants: int, conversations: int, seed: int, anchor: date) -> dict[str, object]:
    return {"tenants": tenants, "conversations": conversations, "seed": seed,
            "anchor": anchor.isoformat(), "version": 1}


def generate(root: Path, *, tenants: int, conversations: int, seed: int,
             anchor: date) -> Dataset:
    """The dataset's files under `root` (written now unless an earlier run left them)."""
    manifest = _manifest(tenants, conversations, seed, anchor)
    directory = root / f"data-{tenants}-{conversations}-{seed}-{anchor:%Y%m%d}"
    dataset = Dataset(directory, anchor, anchor - timedelta(days=TERM_STARTED_DAYS),
                      anchor - timedelta(days=TERM_STARTED_DAYS) + timedelta(days=TERM_DAYS - 1),
                      plan_tenants(tenants, conversations, seed))
    done = directory / "manifest.json"
    if done.is_file() and json.loads(done.read_text()) == manifest:
        return dataset
    directory.mkdir(parents=True, exist_ok=True)
    first_day = anchor - timedelta(days=HISTORY_DAYS + 1)
    for plan in dataset.tenants:
        users_frame(plan, seed).to_csv(dataset.users_file(plan), index=False)
        frame = conversations_frame(plan, seed, first_day, HISTORY_DAYS, plan.conversations)
        for i, path in enumerate(dataset.conversation_files(plan)):
            frame.iloc[i * MAX_FILE_ROWS:(i + 1) * MAX_FILE_ROWS].to_csv(path, index=False)
    conversations_frame(dataset.largest, seed, anchor - timedelta(days=1), 1,
                        INCREMENTAL_ROWS, id_prefix="n", stream=3
                        ).to_csv(dataset.incremental_file, index=False)
    done.write_text(json.dumps(manifest))
    return dataset


def plans_as_json(dataset: Dataset) -> list[dict[str, object]]:
    return [asdict(p) for p in dataset.tenants]
