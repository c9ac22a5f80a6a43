from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def shell(request: HttpRequest) -> dict[str, Any]:
    return {
        "elder_mode": getattr(request, "elder_mode", False),
        "demo_mode": settings.DEMO,
        "sms_outbox_visible": settings.SMS_PROVIDER == "fake",
    }
