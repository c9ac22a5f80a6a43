"""Email through Django's SMTP backend (``django.core.mail.backends.smtp.EmailBackend``).

Settings: Django's own ``EMAIL_HOST``, ``EMAIL_PORT``, ``EMAIL_HOST_USER``,
``EMAIL_HOST_PASSWORD``, ``EMAIL_USE_TLS`` / ``EMAIL_USE_SSL``, ``EMAIL_TIMEOUT`` and
``DEFAULT_FROM_EMAIL``. Each message carries its own ``Message-ID`` (the provider message
id we keep). A recipient the server refuses is a permanent failure; a server that cannot be
reached, times out or answers with a 4xx code is retried."""

from __future__ import annotations

import smtplib
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from onewindow.notify.providers.base import EmailRequest, SendResult


class SmtpEmailProvider:
    name = "smtp"

    def __init__(
        self,
        *,
        host: str | None = None,
        port: int | None = None,
        username: str | None = None,
        password: str | None = None,
        use_tls: bool | None = None,
        timeout: float | None = None,
        from_email: str | None = None,
    ) -> None:
        self.host = host or settings.EMAIL_HOST
        self.port = port or settings.EMAIL_PORT
        self.username = settings.EMAIL_HOST_USER if username is None else username
        self.password = settings.EMAIL_HOST_PASSWORD if password is None else password
        self.use_tls = settings.EMAIL_USE_TLS if use_tls is None else use_tls
        self.timeout = timeout or settings.EMAIL_TIMEOUT or 10.0
        self.from_email = from_email or settings.DEFAULT_FROM_EMAIL

    def send(self, request: EmailRequest) -> SendResult:
        domain = self.from_email.rsplit("@", 1)[-1].strip(">") or "localhost"
        message_id = make_msgid(idstring=f"notify{request.message_id}", domain=domain)
        connection = get_connection(
            "django.core.mail.backends.smtp.EmailBackend",
            host=self.host,
            port=self.port,
            username=self.username,
            password=self.password,
            use_tls=self.use_tls,
            timeout=self.timeout,
            fail_silently=False,
        )
        email = EmailMessage(
            subject=request.subject,
            body=request.body,
            from_email=self.from_email,
            to=[request.to],
            headers={"Message-ID": message_id},
            connection=connection,
        )
        try:
            email.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            permanent = all(int(code) >= 500 for code in codes)
            return SendResult(
                accepted=False, error=f"recipient refused: {codes}"[:255], retryable=not permanent
            )
        except smtplib.SMTPResponseException as exc:
            return SendResult(
                accepted=False,
                error=f"smtp {exc.smtp_code}: {exc.smtp_error!r}"[:255],
                retryable=exc.smtp_code < 500,
            )
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            return SendResult(accepted=False, error=f"smtp unreachable: {exc.__class__.__name__}")
        return SendResult(accepted=True, provider_message_id=message_id)
