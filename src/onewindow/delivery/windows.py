"""The departments' receiving windows (收件窗口): where a department's mail is sent from and
its returns and pickups go to. Reads, shared by the services and the pages."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from onewindow.delivery.conf import setting
from onewindow.delivery.models import DepartmentWindow, Shipment
from onewindow.delivery.providers.base import Party


def window_party(department: Any) -> Party:
    """The department's receiving window, or the configured default window."""
    window = (
        DepartmentWindow.objects.filter(department=department).first()
        if department is not None
        else None
    )
    if window is not None:
        return Party(window.contact, window.phone, window.address, window.region_code)
    name = getattr(department, "name", "") or _("政务服务中心")
    return Party(
        f"{name}{_('收件窗口')}"[:64],
        setting("DELIVERY_WINDOW_PHONE", "020-12345678"),
        setting("DELIVERY_WINDOW_ADDRESS", "广东省广州市天河区政务服务中心"),
        setting("DELIVERY_WINDOW_REGION", "440106"),
    )


def window_label(shipment: Shipment) -> str:
    party = window_party(shipment.department)
    return f"{party.name}（{party.address}）"
