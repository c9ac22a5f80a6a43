"""Binding an account: checked with the provider, the holder must be the resident; a wrong
number or someone else's account is refused at the field and nothing is bound."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from onewindow.bills import services
from onewindow.bills.models import Bill, Subscription
from onewindow.bills.services import subscription_bind, subscription_unbind
from onewindow.core.errors import ValidationFailed
from onewindow.testing.bills import bind, open_account

pytestmark = pytest.mark.django_db


def _refused(exc: pytest.ExceptionInfo[ValidationFailed]) -> tuple[str | None, str]:
    error = exc.value.errors[0]
    return error.field, str(error.message)


def test_binding_a_water_account_fetches_its_bills(resident, summer) -> None:
    sub = bind(resident, "gz-water", "4401 2345 67", channels=["inapp", "sms"])
    assert sub.next_sync_at is not None and sub.last_synced_at is None
    services.subscription_sync(subscription_id=sub.pk)
    sub.refresh_from_db()
    assert sub.account_number == "4401234567" and sub.account_tail == "4567"
    assert sub.kind == "water" and sub.channels == ["inapp", "sms"]
    assert sub.last_synced_at is not None
    bills = list(Bill.objects.filter(subscription=sub).order_by("period"))
    # Twelve months of history up to July (August's bill is issued after August ends).
    assert len(bills) == 12
    assert bills[0].period == "2025-08" and bills[-1].period == "2026-07"
    july = bills[-1]
    assert july.paid is False and july.due_on == datetime.date(2026, 8, 25)
    assert july.usage is not None
    assert july.usage_unit == "m³" and july.amount == (july.usage * Decimal("3.46")).quantize(
        Decimal("0.01")
    )
    # The number is not stored in clear.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT account_number FROM bills_subscription WHERE id = %s", [sub.pk])
        assert "4401234567" not in cursor.fetchone()[0]


def test_a_number_the_provider_does_not_know_is_refused(resident, summer) -> None:
    with pytest.raises(ValidationFailed) as exc:
        subscription_bind(user=resident.user, provider_code="gz-water", account_number="99999999")
    assert _refused(exc) == (
        "account_number",
        "未在广州市自来水有限公司查到该户号，请核对账单上的户号后重新输入",
    )
    assert not Subscription.objects.exists()


def test_someone_elses_account_is_refused(resident, summer) -> None:
    open_account("gz-power", "8800112233", "王大锤")
    with pytest.raises(ValidationFailed) as exc:
        subscription_bind(user=resident.user, provider_code="gz-power", account_number="8800112233")
    assert _refused(exc) == ("account_number", "该户号登记的户主与您的实名信息不一致，不能绑定")
    assert not Subscription.objects.exists()


def test_an_account_bound_by_another_resident_is_refused(resident, neighbour, summer) -> None:
    bind(neighbour, "gz-gas", "55001234")
    open_account("gz-gas", "55001234", resident.name)  # even if the book now says otherwise
    with pytest.raises(ValidationFailed) as exc:
        subscription_bind(user=resident.user, provider_code="gz-gas", account_number="55001234")
    assert _refused(exc) == (
        "account_number",
        "该户号已被其他居民绑定，如有疑问请联系广州燃气集团",
    )
    assert Subscription.objects.filter(person=resident).count() == 0


def test_malformed_numbers_and_channels_are_refused_at_their_field(resident) -> None:
    with pytest.raises(ValidationFailed) as exc:
        subscription_bind(user=resident.user, provider_code="gz-water", account_number="12")
    assert _refused(exc) == ("account_number", "户号应为4至32位数字或字母")
    with pytest.raises(ValidationFailed) as exc:
        subscription_bind(
            user=resident.user, provider_code="gz-water", account_number="1234", channels=["fax"]
        )
    assert _refused(exc) == ("channels", "请选择有效的提醒方式")
    with pytest.raises(ValidationFailed) as exc:
        subscription_bind(user=resident.user, provider_code="nowhere", account_number="1234")
    assert _refused(exc) == ("provider_code", "请选择账单机构")


def test_a_provider_that_cannot_be_reached_binds_nothing(resident, settings) -> None:
    settings.BILLS_FAKE_FAILING = ("gz-water",)
    open_account("gz-water", "4401234567", resident.name)
    with pytest.raises(ValidationFailed) as exc:
        subscription_bind(user=resident.user, provider_code="gz-water", account_number="4401234567")
    assert _refused(exc) == (None, "暂时无法连接广州市自来水有限公司核验户号，请稍后再试")
    assert not Subscription.objects.exists()


def test_masked_holder_names_match_only_the_same_person() -> None:
    from onewindow.bills.providers.base import names_match

    assert names_match("张小明", "张*明") and names_match("张小明", "张小明")
    assert not names_match("张小明", "李*明") and not names_match("张小明", "张*")
    assert not names_match("张小明", "***") and not names_match("", "")


def test_unbinding_frees_the_account(resident, neighbour, summer) -> None:
    sub = bind(resident, "gz-water", "4401234567")
    subscription_unbind(user=resident.user, subscription_id=sub.pk)
    again = bind(neighbour, "gz-water", "4401234567")
    assert again.person_id == neighbour.pk
