"""SMTP delivery of the outbox: settings, message rendering and the connection."""

from licensing_core.notify.messages import AlertMail, message_id, render_alert
from licensing_core.notify.settings import SmtpNotConfigured, SmtpSettings, smtp_settings
from licensing_core.notify.smtp import DeliveryFailed, SmtpConnection

__all__ = ["AlertMail", "DeliveryFailed", "SmtpConnection", "SmtpNotConfigured",
           "SmtpSettings", "message_id", "render_alert", "smtp_settings"]
