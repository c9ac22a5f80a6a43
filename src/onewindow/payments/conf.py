"""Which gateway the platform uses; settings override the environment defaults."""

from __future__ import annotations

import os
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from onewindow.payments.providers.base import PaymentGateway

DEV_SANDBOX_KEY = "onewindow-sandbox-dev-key"


def setting(name: str, default: str) -> str:
    return str(getattr(settings, name, None) or os.environ.get(f"ONEWINDOW_{name}", default))


def sandbox_key() -> str:
    return setting("PAYMENTS_SANDBOX_KEY", DEV_SANDBOX_KEY)


@cache
def _alipay() -> PaymentGateway:
    from onewindow.payments.providers.alipay import (
        AlipayGateway,
        load_private_key,
        load_public_key,
    )

    try:
        private_key = load_private_key(setting("PAYMENTS_ALIPAY_PRIVATE_KEY", ""))
        public_key = load_public_key(setting("PAYMENTS_ALIPAY_PUBLIC_KEY", ""))
    except (ValueError, TypeError) as exc:  # unset or not a PEM key
        raise ImproperlyConfigured(f"Alipay is not configured: {exc}") from exc
    return AlipayGateway(
        app_id=setting("PAYMENTS_ALIPAY_APP_ID", ""),
        private_key=private_key,
        alipay_public_key=public_key,
        gateway_url=setting("PAYMENTS_ALIPAY_URL", "https://openapi.alipay.com/gateway.do"),
    )


def gateway(name: str | None = None) -> PaymentGateway:
    """The named (or configured) gateway. LookupError: no such gateway here;
    ImproperlyConfigured: it is named but its keys are missing or unusable."""
    name = name or setting("PAYMENTS_GATEWAY", "sandbox")
    if name == "alipay":
        return _alipay()
    if name == "sandbox":
        if settings.PRODUCTION and setting("PAYMENTS_GATEWAY", "sandbox") != "sandbox":
            # Its development key is public: never accept its notifications in production.
            raise LookupError("sandbox (off in production)")
        from onewindow.payments.providers.sandbox import SandboxGateway

        return SandboxGateway(
            base_url=setting("PAYMENTS_SANDBOX_URL", "http://127.0.0.1:8077"),
            app_id=setting("PAYMENTS_APP_ID", "onewindow-demo"),
            key=sandbox_key(),
        )
    raise LookupError(name)


def form_action_origins() -> list[str]:
    """Where the fee page's form leads: the configured gateway's payment page (the
    Content-Security-Policy's ``form-action``, onewindow.core.csp)."""
    from onewindow.core.csp import origin_of

    name = setting("PAYMENTS_GATEWAY", "sandbox")
    if name == "alipay":
        url = setting("PAYMENTS_ALIPAY_URL", "https://openapi.alipay.com/gateway.do")
    else:
        url = setting("PAYMENTS_SANDBOX_URL", "http://127.0.0.1:8077")
    return [origin_of(url)]
