"""A realistic, deterministic demo: three tenants with months of usage, refills and alerts.

Usage is generated with a seeded random generator relative to a chosen day (today by
default), written to CSV files and loaded through the real import path in monthly
batches, so the alerts queued are the ones that history would have queued.
"""

from __future__ import annotations

import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from sqlalchemy import select

from licensing_core.auth.accounts import create_account
from licensing_core.db.engine import Database
from licensing_core.db.models import Tenant
from licensing_core.domain.calendar import TermCalendar, TermSpan
from licensing_core.domain.kinds import LicenseType, Role, UserStatus
from licensing_core.domain.sessions import sessionize
from licensing_core.domain.terms import local_midnight_utc
from licensing_core.errors import Refused
from licensing_core.queries.alerts import alerts_list
from licensing_core.services.imports import import_conversations, import_users
from licensing_core.services.refills import record_refill
from licensing_core.services.tenants import create_tenant

SEED = 20261129  # fixed: the same day always gives the same demo
DEMO_PASSWORD = "demo-password"  # printed by `licensing demo`; a demo is not production
OPERATOR = "demo-operator"
AGENTS = ["IT Helpdesk", "HR Assistant", "Facilities Bot", "Sales Advisor", "Travel Desk"]
CHANNELS = ["Web", "Microsoft Teams", "Slack", "Mobile"]
ROLES = ["Employee", "Employee", "Employee", "Manager", "Contractor", "IT Staff"]
FIRST_NAMES = ["Ada", "Ben", "Chloé", "Dev", "Elif", "Femi", "Grace", "Hiro", "Ines", "Jon",
               "Kavya", "Lars", "Mona", "Nils", "Olu", "Priya", "Quinn", "Rosa", "Sven", "Tara"]
LAST_NAMES = ["Adams", "Berg", "Chen", "Diaz", "Eze", "Fischer", "Garcia", "Haddad", "Ito",
              "Jensen", "Khan", "López", "Müller", "Nakamura", "O'Brien", "Patel", "Rossi"]
# Relative traffic by weekday, Monday first: offices are quiet at weekends.
WEEKDAY_WEIGHT = np.array([1.0, 1.05, 1.0, 0.95, 0.8, 0.3, 0.2])
# Relative traffic by local hour: a working day with a lunch dip.
HOUR_WEIGHT = np.array([1, 1, 1, 1, 1, 2, 4, 8, 14, 16, 15, 12, 9, 12, 15, 14, 11, 7, 4, 3, 2,
                        2, 1, 1], dtype=float)


@dataclass(frozen=True)
class DemoTenant:
    tenant_id: str
    name: str
    license_type: LicenseType
    timezone: str
    start: date
    end: date
    users: int
    sessions_per_weekday: float
    target_percent: float
    session_minutes: int | None = 30
    technical: list[str] = field(default_factory=list)
    billing: list[str] = field(default_factory=list)


@dataclass
class DemoReport:
    tenants: list[str] = field(default_factory=list)
    conversations: int = 0
    alerts: int = 0
    accounts: list[tuple[str, str, str | None]] = field(default_factory=list)


def _month_start(day: date, months_back: int) -> date:
    month_index = day.year * 12 + day.month - 1 - months_back
    return date(month_index // 12, month_index % 12 + 1, 1)


def demo_tenants(today: date) -> list[DemoTenant]:
    """Acme near 90% of its sessions, Globex near 60% of its users, Initech expired."""
    acme_start = _month_start(today, 5)
    globex_start = _month_start(today, 3)
    initech_end = _month_start(today, 2) - timedelta(days=1)
    return [
        DemoTenant("acme", "Acme Corp", LicenseType.SESSION, "Europe/Paris", acme_start,
                   acme_start.replace(year=acme_start.year + 1) - timedelta(days=1),
                   users=420, sessions_per_weekday=95, target_percent=90,
                   technical=["it-ops@acme.example"], billing=["finance@acme.example"]),
        DemoTenant("globex", "Globex Corporation", LicenseType.USER, "America/New_York",
                   globex_start, globex_start.replace(year=globex_start.year + 1)
                   - timedelta(days=1), users=180, sessions_per_weekday=60, target_percent=60,
                   session_minutes=None, technical=["helpdesk@globex.example"],
                   billing=["ap@globex.example", "cfo@globex.example"]),
        DemoTenant("initech", "Initech", LicenseType.SESSION, "Asia/Tokyo",
                   initech_end.replace(year=initech_end.year - 1) + timedelta(days=1),
                   initech_end, users=150, sessions_per_weekday=30, target_percent=104,
                   session_minutes=45, technical=["ops@initech.example"],
                   billing=["billing@initech.example"]),
    ]


def _ascii(name: str) -> str:
    """A name as the local part of an address: no accents, no apostrophes, lower case."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return folded.replace("'", "").lower()


def _people(spec: DemoTenant, rng: np.random.Generator) -> pd.DataFrame:
    numbers = np.arange(1, spec.users + 1)
    first = rng.choice(FIRST_NAMES, spec.users)
    last = rng.choice(LAST_NAMES, spec.users)
    ids = [f"{spec.tenant_id[0].upper()}{n:05d}" for n in numbers]
    emails = [f"{_ascii(f)}.{_ascii(ln)}.{n}@{spec.tenant_id}.example"
              for f, ln, n in zip(first, last, numbers, strict=True)]
    status = np.where(rng.random(spec.users) < 0.06, UserStatus.INACTIVE, UserStatus.ACTIVE)
    return pd.DataFrame({
        "user_id": ids, "user_name": [e.split("@")[0] for e in emails], "email": emails,
        "first_name": first, "last_name": last, "role": rng.choice(ROLES, spec.users),
        "status": status,
    })


def _conversations(spec: DemoTenant, people: pd.DataFrame, last_day: date,
                   rng: np.random.Generator) -> pd.DataFrame:
    """Bursts of one to three conversations per session seed, on a weekly and daily rhythm."""
    days = pd.date_range(spec.start, last_day, freq="D")
    growth = np.linspace(0.85, 1.15, len(days))
    per_day = rng.poisson(spec.sessions_per_weekday * WEEKDAY_WEIGHT[days.day_of_week] * growth)
    day_of_seed = np.repeat(days.to_numpy(), per_day)
    seeds = len(day_of_seed)
    hours = rng.choice(24, seeds, p=HOUR_WEIGHT / HOUR_WEIGHT.sum())
    minutes = rng.integers(0, 60 * 60, seeds)
    local = day_of_seed + pd.to_timedelta(hours, "h").to_numpy() + pd.to_timedelta(
        minutes, "s").to_numpy()
    popularity = rng.lognormal(0.0, 1.0, len(people))  # a few heavy users, a long tail
    active = (people["status"] == UserStatus.ACTIVE).to_numpy()
    weights = np.where(active, popularity, popularity * 0.02)
    users = rng.choice(people["user_id"].to_numpy(), seeds, p=weights / weights.sum())
    agents = rng.choice(AGENTS, seeds, p=[0.35, 0.25, 0.15, 0.15, 0.10])
    channels = rng.choice(CHANNELS, seeds, p=[0.4, 0.3, 0.2, 0.1])
    burst = rng.choice([1, 1, 1, 2, 2, 3], seeds)
    index = np.repeat(np.arange(seeds), burst)
    offset_s = np.concatenate([np.sort(rng.integers(0, 25 * 60, b)) * (np.arange(b) > 0)
                               for b in burst]) if seeds else np.array([], dtype=int)
    started_local = local[index] + pd.to_timedelta(offset_s, "s").to_numpy()
    started = pd.Series(started_local).dt.tz_localize(
        spec.timezone, ambiguous="NaT", nonexistent="shift_forward")
    duration = pd.to_timedelta(rng.integers(40, 20 * 60, len(index)), "s")
    frame = pd.DataFrame({
        "started_at": started, "ended_at": started + duration, "user_id": users[index],
        "agent_name": agents[index], "channel": channels[index],
        "initiated_by": np.where(rng.random(len(index)) < 0.08, "Agent", "User"),
        "messages": rng.poisson(7, len(index)) + 1,
    }).dropna(subset=["started_at"])
    frame = frame.sort_values("started_at", kind="mergesort").reset_index(drop=True)
    frame.insert(0, "conversation_id", [f"{spec.tenant_id}-c{n:07d}" for n in
                                        range(1, len(frame) + 1)])
    return frame


def _session_count(spec: DemoTenant, conversations: pd.DataFrame) -> int:
    """Sessions the term will count, from the same pure rule the import applies."""
    calendar = TermCalendar([TermSpan(1, spec.license_type, spec.start, spec.end,
                                      spec.session_minutes)], ZoneInfo(spec.timezone))
    naive = conversations.assign(
        started_at=conversations["started_at"].dt.tz_convert("UTC").dt.tz_localize(None))
    sessions = sessionize(naive, calendar)
    return int((sessions["term_id"] >= 0).sum())


def _write_csv(frame: pd.DataFrame, path: Path) -> Path:
    out = frame.copy()
    for column in ("started_at", "ended_at"):
        if column in out:
            out[column] = out[column].map(lambda t: t.isoformat())
    out.to_csv(path, index=False)
    return path


def _load_tenant(db: Database, spec: DemoTenant, today: date, workdir: Path,
                 rng: np.random.Generator, report: DemoReport) -> None:
    tz = ZoneInfo(spec.timezone)
    last_day = min(today - timedelta(days=1), spec.end)
    people = _people(spec, rng)
    conversations = _conversations(spec, people, last_day, rng)
    if spec.license_type == LicenseType.SESSION:
        final_consumed = _session_count(spec, conversations)
    else:
        final_consumed = int(((people["status"] == UserStatus.ACTIVE)
                              | people["user_id"].isin(conversations["user_id"])).sum())
    final_total = max(1, round(final_consumed * 100 / spec.target_percent))
    initial = round(final_total * 0.6)
    refill = round(final_total * 0.5)
    removal = final_total - initial - refill  # a small correction downwards
    created = datetime.combine(spec.start, time(8)) - timedelta(days=3)
    create_tenant(db, tenant_id=spec.tenant_id, name=spec.name,
                  license_type=spec.license_type, licenses=initial, start=spec.start,
                  end=spec.end, session_minutes=spec.session_minutes, timezone=spec.timezone,
                  technical_emails=spec.technical, billing_emails=spec.billing,
                  actor=OPERATOR, now=created)
    import_users(db, tenant_id=spec.tenant_id, actor=OPERATOR, now=created,
                 path=_write_csv(people, workdir / f"{spec.tenant_id}-users.csv"))
    month_starts = pd.date_range(spec.start, last_day, freq="MS").date.tolist()
    if not month_starts or month_starts[0] != spec.start:
        month_starts.insert(0, spec.start)
    boundaries = [*month_starts[1:], last_day + timedelta(days=1)]
    for number, (first, after) in enumerate(zip(month_starts, boundaries, strict=True)):
        in_month = conversations[
            (conversations["started_at"] >= pd.Timestamp(first, tz=tz))
            & (conversations["started_at"] < pd.Timestamp(after, tz=tz))]
        loaded_at = local_midnight_utc(after, tz) + timedelta(hours=2)
        path = _write_csv(in_month, workdir / f"{spec.tenant_id}-{first:%Y-%m}.csv")
        import_conversations(db, tenant_id=spec.tenant_id, path=path, actor=OPERATOR,
                             now=loaded_at)
        if number == 1:
            record_refill(db, tenant_id=spec.tenant_id, quantity=refill, recorded_by=OPERATOR,
                          note="Quarterly top-up requested by the billing contact",
                          term_date=first, now=loaded_at)
        if number == 2 and removal:
            record_refill(db, tenant_id=spec.tenant_id, quantity=removal,
                          recorded_by=OPERATOR, note="Correction: unused licenses returned",
                          term_date=first, now=loaded_at)
    report.tenants.append(spec.tenant_id)
    report.conversations += len(conversations)


def load_demo(db: Database, *, today: date | None = None,
              progress: Callable[[str], None] = lambda _: None) -> DemoReport:
    """Fill an empty database with the demo tenants, usage, refills, alerts and accounts."""
    today = today or date.today()
    with db.transaction() as session:
        if session.scalars(select(Tenant.id).limit(1)).first() is not None:
            raise Refused("the database already has tenants; run the demo on an empty one")
    rng = np.random.default_rng(SEED)
    report = DemoReport()
    with tempfile.TemporaryDirectory(prefix="licensing-demo-") as workdir:
        for spec in demo_tenants(today):
            progress(f"loading {spec.name}")
            _load_tenant(db, spec, today, Path(workdir), rng, report)
    accounts = [("admin", Role.SUPER_ADMIN, None, "operator@example.com")] + [
        (f"{t}-admin", Role.TENANT_ADMIN, t, f"admin@{t}.example") for t in report.tenants]
    for username, role, tenant_id, email in accounts:
        create_account(db, username=username, role=role, tenant_id=tenant_id, email=email,
                       password=DEMO_PASSWORD, actor=OPERATOR)
        report.accounts.append((username, role, tenant_id))
    report.alerts = len(alerts_list(db, None, limit=10_000))
    return report
