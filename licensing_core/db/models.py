"""Typed ORM models. Timestamps are naive UTC on both databases; dates are the tenant's."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from licensing_core.domain.kinds import (
    AlertKind,
    AlertStatus,
    AuditAction,
    LicenseType,
    RequestStatus,
    Role,
    UserStatus,
    WebhookStatus,
)

Words = TypeVar("Words", bound=StrEnum)


def stored_as_text(words: type[Words], length: int) -> Enum:
    """A column of one of `words`, stored as the plain VARCHAR(length) text it always was
    (no native enum type, no CHECK constraint: no migration, the same bytes) and read back
    as the enum's member."""
    return Enum(words, native_enum=False, create_constraint=False, length=length,
                values_callable=lambda kind: [member.value for member in kind])


def postgresql_only(index: Index) -> Index:
    """An index of PostgreSQL alone (its migration creates it there only); `info` tells
    the comparison of a migrated SQLite schema with these models not to expect it."""
    index.info["postgresql_only"] = True
    return index.ddl_if(dialect="postgresql")


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON, list[int]: JSON}


class Tenant(Base):
    __tablename__ = "tenants"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    technical_emails: Mapped[list[str]] = mapped_column(JSON, default=list)
    billing_emails: Mapped[list[str]] = mapped_column(JSON, default=list)
    alert_thresholds: Mapped[list[int] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Term(Base):
    __tablename__ = "terms"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    license_type: Mapped[LicenseType] = mapped_column(stored_as_text(LicenseType, 16))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    initial_licenses: Mapped[int] = mapped_column(Integer)
    session_minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Every alert threshold at or below this one has been mailed in this term.
    notified_threshold: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Sessions (session-based) or license holders (user-based) counted in the term: kept by
    # services.usage.recompute_usage, the one writer of both, in the same transaction, so
    # every alert evaluation and overview reads it instead of counting years of sessions.
    consumed: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # When the term's run-out warning was queued; NULL: not warned, or re-armed by a refill.
    run_out_warned_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(200))


class Refill(Base):
    __tablename__ = "refills"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    term_id: Mapped[int] = mapped_column(ForeignKey("terms.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    total_after: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(DateTime)


class PlatformUser(Base):
    """A user of the tenant on the platform (not an account of this dashboard)."""

    __tablename__ = "platform_users"
    __table_args__ = (
        # Consumption History's text filter looks for users by a substring of their id,
        # name or email: pg_trgm's trigrams answer ILIKE '%text%' (migrations 0008, 0010).
        postgresql_only(Index("ix_platform_users_search", "user_id", "user_name", "email",
                              postgresql_using="gin",
                              postgresql_ops={"user_id": "gin_trgm_ops",
                                              "user_name": "gin_trgm_ops",
                                              "email": "gin_trgm_ops"})),
    )

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    user_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    first_name: Mapped[str] = mapped_column(String(200), default="")
    last_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(100), default="")
    # One of UserStatus as the services write it, kept as plain text: the history's filters
    # and exports read whatever text is stored, an odd one included, and never refuse it.
    status: Mapped[str] = mapped_column(String(16), default=UserStatus.ACTIVE)
    first_conversation_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class UserStatusEvent(Base):
    """Each status a users import set, and when: user-based counting reads this history."""

    __tablename__ = "user_status_events"
    __table_args__ = (Index("ix_status_events_user", "tenant_id", "user_id", "at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                    primary_key=True, autoincrement=True)
    tenant_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))  # one of UserStatus, as plain text
    at: Mapped[datetime] = mapped_column(DateTime)


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (
        Index("ix_conversations_group", "tenant_id", "user_id", "agent_name", "channel",
              "started_at"),
        Index("ix_conversations_time", "tenant_id", "started_at"),
    )

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(DateTime)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    agent_name: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(100))
    initiated_by: Mapped[str] = mapped_column(String(100), default="User")
    messages: Mapped[int | None] = mapped_column(Integer, nullable=True)


class UsageSession(Base):
    """A session derived from conversations; recomputed for the users an import touches."""

    __tablename__ = "sessions"
    __table_args__ = (
        # A user's sessions in the order their windows end: those an import rebuilds (the
        # ones ending after its earliest conversation, see services.usage) and one session
        # by its id and user (queries.conversations). The id alone is unique in the tenant
        # (it names the session's first conversation); leading with the user lets this one
        # index serve both, where a key of (tenant, id) beside an index of the users'
        # windows cost every stored session a third B-tree (migration 0011).
        PrimaryKeyConstraint("tenant_id", "user_id", "window_end", "session_id",
                             name="sessions_pkey"),
        # The history of a term in its order and dates; with the user id, the history's
        # text filter reads no table row to tell whether a row's user is one it found.
        # Its prefix counts a term's sessions (terms.consumed, db.tenancy.recount_consumed).
        Index("ix_sessions_term", "term_id", "started_at", "user_id"),
    )

    tenant_id: Mapped[str] = mapped_column(String(64))
    session_id: Mapped[str] = mapped_column(String(210))
    user_id: Mapped[str] = mapped_column(String(200))
    agent_name: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(DateTime)
    window_end: Mapped[datetime] = mapped_column(DateTime)
    initiated_by: Mapped[str] = mapped_column(String(100))
    conversation_count: Mapped[int] = mapped_column(Integer)
    # The session-based term it starts (and counts) in; NULL when it starts in none.
    term_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class UserLicense(Base):
    """A user holding a license in a user-based term, from `held_since`."""

    __tablename__ = "user_licenses"
    __table_args__ = (Index("ix_user_licenses_tenant", "tenant_id", "user_id"),)

    term_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(64))
    held_since: Mapped[datetime] = mapped_column(DateTime)
    conversation_count: Mapped[int] = mapped_column(Integer)


class LicenseRequest(Base):
    """A tenant admin's request for more licenses, decided once by a super admin."""

    __tablename__ = "license_requests"
    __table_args__ = (Index("ix_license_requests_status", "status", "requested_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[RequestStatus] = mapped_column(stored_as_text(RequestStatus, 16),
                                                 default=RequestStatus.OPEN)
    requested_by: Mapped[str] = mapped_column(String(200))
    requested_at: Mapped[datetime] = mapped_column(DateTime)
    decided_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    # A decline's reason, or the note an approval was given.
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The refill an approval recorded, and its quantity (the request's, or as edited).
    refill_quantity: Mapped[int | None] = mapped_column(Integer, nullable=True)
    refill_id: Mapped[int | None] = mapped_column(ForeignKey("refills.id"), nullable=True)


class Alert(Base):
    """The outbox: an email (and its webhook) queued in the same transaction as the change
    that caused it. The webhook has its own status and attempts, apart from the email's."""

    __tablename__ = "alerts"
    __table_args__ = (
        Index("ix_alerts_pending", "status", "next_attempt_at"),
        Index("ix_alerts_webhook_pending", "webhook_status", "webhook_next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    term_id: Mapped[int | None] = mapped_column(ForeignKey("terms.id"), nullable=True)
    kind: Mapped[AlertKind] = mapped_column(stored_as_text(AlertKind, 32))
    # Unique per cause, so the same alert can never be queued twice.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True, nullable=True)
    threshold: Mapped[int | None] = mapped_column(Integer, nullable=True)
    percent_used: Mapped[float] = mapped_column(Float, default=0.0)
    consumed: Mapped[int] = mapped_column(Integer, default=0)
    total_purchased: Mapped[int] = mapped_column(Integer, default=0)
    recipients: Mapped[list[str]] = mapped_column(JSON, default=list)
    subject: Mapped[str] = mapped_column(String(300))
    status: Mapped[AlertStatus] = mapped_column(stored_as_text(AlertStatus, 16),
                                               default=AlertStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    # The license request a license_request or request_decision alert is about.
    request_id: Mapped[int | None] = mapped_column(ForeignKey("license_requests.id"),
                                                   nullable=True)
    # A run-out warning's forecast when it was queued: the run-out day at the mid pace,
    # its range (high and low pace) and the licenses needed to last the term.
    run_out_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    run_out_low: Mapped[date | None] = mapped_column(Date, nullable=True)
    run_out_high: Mapped[date | None] = mapped_column(Date, nullable=True)
    licenses_needed: Mapped[int | None] = mapped_column(Integer, nullable=True)
    webhook_status: Mapped[WebhookStatus] = mapped_column(
        stored_as_text(WebhookStatus, 16), default=WebhookStatus.QUEUED,
        server_default=WebhookStatus.QUEUED.value)
    webhook_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    webhook_last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    # NULL: due at once (never tried)
    webhook_next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    webhook_sent_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class Account(Base):
    """A person who signs in to the dashboard."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[Role] = mapped_column(stored_as_text(Role, 32))
    tenant_id: Mapped[str | None] = mapped_column(ForeignKey("tenants.id"), nullable=True)
    email: Mapped[str] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(200))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class SignIn(Base):
    """One sign-in through the form: its token is honoured while this row is there, not
    ended and not expired, so sign-out holds in every process and after restarts."""

    __tablename__ = "sign_ins"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the token's id
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_tenant_at", "tenant_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(200))
    tenant_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    action: Mapped[AuditAction] = mapped_column(stored_as_text(AuditAction, 64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


__all__ = [
    "Account", "Alert", "AuditEntry", "Base", "Conversation", "LicenseRequest", "PlatformUser",
    "Refill",
    "SignIn", "Tenant", "Term", "UsageSession", "UserLicense", "UserStatusEvent",
]
