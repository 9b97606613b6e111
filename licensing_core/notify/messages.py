"""The emails of the outbox: a plain-text and an HTML part built from one alert's values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from html import escape

from licensing_core.domain.kinds import AlertKind, RequestStatus
from licensing_core.notify.settings import SmtpSettings


@dataclass(frozen=True)
class RequestFacts:
    """The license request a request or decision mail is about."""

    request_id: int
    quantity: int
    requested_by: str
    note: str
    status: RequestStatus
    decided_by: str | None = None
    reason: str | None = None  # a decline's reason, or the approval's note
    refill_quantity: int | None = None


@dataclass(frozen=True)
class AlertMail:
    """What a mail says, as plain values: rendering needs no database."""

    alert_id: int
    kind: AlertKind
    subject: str
    recipients: list[str]
    tenant_name: str
    license_type: str
    consumed: int
    total_purchased: int
    percent_used: float
    threshold: int | None = None
    term_start: date | None = None
    term_end: date | None = None
    days_left: int | None = None  # contract_end: from the tenant's today to the end date
    request: RequestFacts | None = None  # license_request and request_decision
    # run_out: the forecast day at the mid pace, its range, and licenses needed to last
    run_out_date: date | None = None
    run_out_low: date | None = None  # the earliest (high pace)
    run_out_high: date | None = None  # the latest (low pace); None: not within ten years
    licenses_needed: int | None = None
    tenant_id: str = ""

    @property
    def available(self) -> int:
        return self.total_purchased - self.consumed


def delivery_id(alert_id: int, kind: str, host: str) -> str:
    """The same id on every attempt, so a receiver can drop a resend of one alert: the
    email's Message-ID and the webhook's X-Licensing-Delivery."""
    domain = "".join(c for c in host.lower() if c.isalnum() or c in ".-") or "local"
    return f"alert-{alert_id}.{kind}@licensing.{domain}"


def message_id(alert_id: int, kind: str, host: str) -> str:
    return f"<{delivery_id(alert_id, kind, host)}>"


def _one_line(text: str) -> str:
    """Header values may not hold line breaks (they would inject headers)."""
    return " ".join(text.split())


def _available_text(mail: AlertMail) -> str:
    if mail.available >= 0:
        return str(mail.available)
    return f"{mail.available} (overage of {-mail.available})"


def _term_text(mail: AlertMail) -> str:
    if mail.term_start is None or mail.term_end is None:
        return "-"
    return f"{mail.term_start.isoformat()} to {mail.term_end.isoformat()}"


def _request_facts(mail: AlertMail) -> list[tuple[str, str]]:
    request = mail.request
    if request is None:
        return []
    rows = [("Request", f"#{request.request_id}"),
            ("Licenses asked for", str(request.quantity)),
            ("Requested by", request.requested_by)]
    if request.note:
        rows.append(("Note", request.note))
    if mail.kind == AlertKind.REQUEST_DECISION:
        rows.append(("Decision", f"{request.status} by {request.decided_by or '-'}"))
        if request.refill_quantity is not None:
            rows.append(("Licenses added", str(request.refill_quantity)))
        if request.reason:
            rows.append(("Reason" if request.status == RequestStatus.DECLINED else "Decision note",
                         request.reason))
    return rows


def _day(day: date | None, missing: str) -> str:
    return day.isoformat() if day is not None else missing


def run_out_range(mail: AlertMail) -> str:
    """The forecast's range, earliest to latest ("later" when the low pace never ends)."""
    return f"{_day(mail.run_out_low, 'now')} to {_day(mail.run_out_high, 'later')}"


def _run_out_facts(mail: AlertMail) -> list[tuple[str, str]]:
    if mail.kind != AlertKind.RUN_OUT:
        return []
    return [("Forecast run-out", _day(mail.run_out_date, "-")),
            ("Forecast range", run_out_range(mail)),
            ("Needed to last the term", f"{mail.licenses_needed or 0} more licenses")]


def _facts(mail: AlertMail) -> list[tuple[str, str]]:
    return [
        ("Tenant", mail.tenant_name),
        *_request_facts(mail),
        *_run_out_facts(mail),
        ("License type", mail.license_type),
        ("Consumed", str(mail.consumed)),
        ("Total purchase", str(mail.total_purchased)),
        ("Available", _available_text(mail)),
        ("Percent used", f"{mail.percent_used:.1f}%"),
        ("Term", _term_text(mail)),
    ]


def _lead(mail: AlertMail) -> str:
    """The first sentence: what happened, in plain words."""
    if mail.kind == AlertKind.CONTRACT_END:
        end = mail.term_end.isoformat() if mail.term_end else "soon"
        when = "" if mail.days_left is None else (
            " today" if mail.days_left == 0 else
            f", in {mail.days_left} day{'s' if mail.days_left != 1 else ''}")
        return (f"The {mail.license_type} license contract of {mail.tenant_name} ends on "
                f"{end}{when}. Renew it in time to keep the service running.")
    if mail.kind == AlertKind.RUN_OUT:
        end = _day(mail.term_end, "its end date")
        return (f"At its recent pace, {mail.tenant_name} will have used all its "
                f"{mail.license_type} licenses on {_day(mail.run_out_date, 'soon')} "
                f"(between {run_out_range(mail).replace(' to ', ' and ')}), before its term "
                f"ends on {end}. About {mail.licenses_needed or 0} more licenses would last "
                "the term.")
    if (mail.kind in (AlertKind.LICENSE_REQUEST, AlertKind.REQUEST_DECISION)
            and mail.request is not None):
        return _request_lead(mail, mail.request)
    return (f"{mail.tenant_name} has used {mail.threshold}% of its {mail.license_type} "
            f"licenses: {mail.consumed} of {mail.total_purchased} "
            f"({mail.percent_used:.1f}% used).")


def _request_lead(mail: AlertMail, request: RequestFacts) -> str:
    asked = (f"{request.requested_by} asked for {request.quantity} more "
             f"{mail.license_type} licenses for {mail.tenant_name} (request "
             f"#{request.request_id})")
    if mail.kind == AlertKind.LICENSE_REQUEST:
        return (f"{asked}. The term has used {mail.consumed} of {mail.total_purchased} "
                f"({mail.percent_used:.1f}%). Approve or decline it on the dashboard.")
    if request.status == RequestStatus.APPROVED:
        return (f"{asked}: approved by {request.decided_by}. {request.refill_quantity} "
                f"licenses were added; the total purchase is now {mail.total_purchased}.")
    return f"{asked}: declined by {request.decided_by}. Reason: {request.reason}"


FOOTER = ("You receive this email as a technical or billing contact or an administrator "
          "of {tenant} on the license subscription dashboard.")
FOOTERS = {
    AlertKind.LICENSE_REQUEST: "You receive this email as an operator of the license subscription "
                  "dashboard.",
    AlertKind.REQUEST_DECISION: "You receive this email as the requester or a technical or billing "
                   "contact of {tenant} on the license subscription dashboard.",
}


def _footer(mail: AlertMail) -> str:
    return FOOTERS.get(mail.kind, FOOTER).format(tenant=mail.tenant_name)


def render_text(mail: AlertMail, dashboard_url: str) -> str:
    width = max(len(label) for label, _ in _facts(mail))
    rows = "\n".join(f"{label + ':':<{width + 1}}  {value}" for label, value in _facts(mail))
    return (f"Hello,\n\n{_lead(mail)}\n\n{rows}\n\n"
            f"Details on the dashboard: {dashboard_url}\n\n"
            f"-- \n{_footer(mail)}\n")


def render_html(mail: AlertMail, dashboard_url: str) -> str:
    """Every value is escaped: a tenant name is text typed by a person, never markup."""
    rows = "\n".join(
        f'<tr><th align="left" style="padding:2px 12px 2px 0">{escape(label)}</th>'
        f"<td>{escape(value)}</td></tr>" for label, value in _facts(mail))
    link = escape(dashboard_url, quote=True)
    return (
        "<!DOCTYPE html>\n<html><body style=\"font-family:sans-serif\">\n"
        f"<p>Hello,</p>\n<p>{escape(_lead(mail))}</p>\n"
        f"<table>\n{rows}\n</table>\n"
        f'<p><a href="{link}">Open the dashboard</a> ({escape(dashboard_url)})</p>\n'
        f'<p style="color:#666;font-size:small">'
        f"{escape(_footer(mail))}</p>\n"
        "</body></html>\n"
    )


def render_alert(mail: AlertMail, settings: SmtpSettings,
                 now: datetime | None = None) -> EmailMessage:
    """The message for one alert: the same Message-ID on every attempt."""
    message = EmailMessage()
    message["Subject"] = _one_line(mail.subject)
    message["From"] = settings.sender
    message["To"] = ", ".join(mail.recipients)
    message["Message-ID"] = message_id(mail.alert_id, mail.kind, settings.dashboard_host)
    moment = (now or datetime.now(UTC).replace(tzinfo=None)).replace(tzinfo=UTC)
    message["Date"] = format_datetime(moment)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies, please
    message.set_content(render_text(mail, settings.dashboard_url))
    message.add_alternative(render_html(mail, settings.dashboard_url), subtype="html")
    return message


__all__ = ["AlertMail", "RequestFacts", "delivery_id", "message_id", "render_alert", "render_html",
           "render_text", "run_out_range"]
