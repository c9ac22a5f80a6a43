"""In production the sandbox gateway exists only when it is the configured gateway: its
development key is public, so a notification signed with it must not credit an order."""

from __future__ import annotations

import pytest

from onewindow.payments.conf import gateway
from onewindow.payments.models import PaymentEvent
from onewindow.testing.payments import notification, post

pytestmark = pytest.mark.django_db


def test_a_sandbox_notification_is_refused_in_production_with_a_real_gateway(
    client, settings, order
):
    settings.PRODUCTION = True
    settings.PAYMENTS_GATEWAY = "alipay"
    with pytest.raises(LookupError):
        gateway("sandbox")
    response = post(client, notification(order))
    assert response.status_code == 400
    order.refresh_from_db()
    assert order.status in {"created", "paying"}
    assert PaymentEvent.objects.filter(outcome="denied", reason="unknown gateway").exists()


def test_the_sandbox_still_works_where_it_is_the_gateway(client, settings, order):
    settings.PRODUCTION = True  # check --deploy refuses this (E010); the app itself runs
    settings.PAYMENTS_GATEWAY = "sandbox"
    assert post(client, notification(order)).status_code == 200
    order.refresh_from_db()
    assert order.status == "paid"
