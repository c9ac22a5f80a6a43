"""Two code requests for one phone at the same moment: the per-phone limit still holds."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from onewindow.core.errors import RateLimited
from onewindow.identity.models import SmsLoginCode
from onewindow.identity.services import sms_login_code_request


@pytest.mark.django_db(transaction=True)
def test_simultaneous_requests_for_one_phone_send_one_code(settings):
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:"):
        pytest.skip("in-memory SQLite test database is not shared safely between threads")
    settings.SMS_SEND_LIMITS_PER_PHONE = [(60, 1)]
    start = threading.Barrier(4)
    outcomes: list[str] = []

    def request() -> None:
        start.wait()
        try:
            sms_login_code_request(phone="13700000001", ip="127.0.0.1")
            outcomes.append("sent")
        except RateLimited:
            outcomes.append("limited")
        finally:
            connection.close()

    threads = [threading.Thread(target=request) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["limited", "limited", "limited", "sent"]
    assert SmsLoginCode.objects.count() == 1
