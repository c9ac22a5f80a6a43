"""Deployment checks of the payments app (``onewindow check --deploy``): in production the
gateway must be a real one, configured with the merchant's own keys."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from onewindow.payments import conf

DEMO_MERCHANT = "onewindow-demo"
ALIPAY_SANDBOX_HOSTS = ("alipaydev.com",)


@checks.register(checks.Tags.security, deploy=True)
def payments_gateway_in_production(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    if not settings.PRODUCTION:
        return []
    name = conf.setting("PAYMENTS_GATEWAY", "sandbox")
    if name == "sandbox":
        return _sandbox_problems()
    if name == "alipay":
        return _alipay_problems()
    return [
        checks.Error(
            f"Unknown payment gateway {name!r}.",
            hint="Set ONEWINDOW_PAYMENTS_GATEWAY to alipay.",
            id="onewindow.E012",
        )
    ]


def _sandbox_problems() -> list[checks.CheckMessage]:
    problems: list[checks.CheckMessage] = [
        checks.Error(
            "The sandbox payment gateway is configured: residents' payments go nowhere.",
            hint="Set ONEWINDOW_PAYMENTS_GATEWAY=alipay with the merchant's app id and keys.",
            id="onewindow.E010",
        )
    ]
    demo = []
    if conf.sandbox_key() == conf.DEV_SANDBOX_KEY:
        demo.append("the public development signing key (anyone can sign a notification)")
    if conf.setting("PAYMENTS_APP_ID", DEMO_MERCHANT) == DEMO_MERCHANT:
        demo.append(f"the demo merchant {DEMO_MERCHANT!r}")
    if demo:
        problems.append(
            checks.Error(
                "The sandbox gateway runs with " + " and ".join(demo) + ".",
                hint="Do not run the sandbox in production.",
                id="onewindow.E011",
            )
        )
    return problems


def _alipay_problems() -> list[checks.CheckMessage]:
    url = conf.setting("PAYMENTS_ALIPAY_URL", "https://openapi.alipay.com/gateway.do")
    if any(host in url for host in ALIPAY_SANDBOX_HOSTS):
        return [
            checks.Error(
                f"The Alipay sandbox environment is configured ({url}): no money moves.",
                hint="Unset ONEWINDOW_PAYMENTS_ALIPAY_URL or point it at openapi.alipay.com.",
                id="onewindow.E010",
            )
        ]
    if not conf.setting("PAYMENTS_ALIPAY_APP_ID", ""):
        return [
            checks.Error(
                "Alipay has no app id.",
                hint="Set ONEWINDOW_PAYMENTS_ALIPAY_APP_ID.",
                id="onewindow.E012",
            )
        ]
    try:
        conf.gateway("alipay")
    except (ValueError, TypeError, ImproperlyConfigured) as exc:
        return [
            checks.Error(
                f"Alipay keys are not usable: {exc}",
                hint="Set ONEWINDOW_PAYMENTS_ALIPAY_PRIVATE_KEY (the merchant's RSA key, PEM) "
                "and ONEWINDOW_PAYMENTS_ALIPAY_PUBLIC_KEY (Alipay's public key, PEM).",
                id="onewindow.E012",
            )
        ]
    return []
