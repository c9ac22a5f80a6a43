"""Writes of one account for other public services (一号通行): binding or opening a library
card, renewing and reserving, due-date reminders; registering as a volunteer, joining
activities, keeping service hours and issuing the certificate of hours as a licence.

The library and the volunteer platform are asked first, outside any transaction (they
answer over the network, and slowly at times); what they said is then written in one
transaction with its audit row. A system that cannot be reached changes nothing."""

from __future__ import annotations

import datetime
import logging
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, NoReturn

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.audit.services import Actor, audit_record
from onewindow.core.errors import ApplicationError, Conflict, NotFound, ValidationFailed
from onewindow.identity import selectors as identity_selectors
from onewindow.notify.services import Recipient, notify_tell
from onewindow.onepass import audit_events, conf
from onewindow.onepass.home_changes import cards_home_changed
from onewindow.onepass.models import (
    ActivitySignup,
    HoldRecord,
    HoursCertificate,
    LibraryCard,
    LoanRecord,
    ServiceHour,
    Volunteer,
)
from onewindow.onepass.providers.base import (
    Activity,
    PatronAccount,
    ProviderError,
    ProviderRefused,
    VolunteerHours,
)

if TYPE_CHECKING:
    from onewindow.identity.models import Person, User

logger = logging.getLogger(__name__)

LIBRARY_URL = "/onepass/library/"
VOLUNTEER_URL = "/onepass/volunteer/"
REMIND_DAYS_BEFORE = 3
PATRON_ID = re.compile(r"^[0-9A-Za-z]{6,20}$")
ITEM_ID = re.compile(r"^[0-9A-Za-z-]{4,32}$")
CERTIFICATE_TYPE = "volunteer-hours-certificate"


class LibraryUnavailable(ApplicationError):
    status = 503
    code = "library_unavailable"


class VolunteersUnavailable(ApplicationError):
    status = 503
    code = "volunteers_unavailable"


def _library_down() -> LibraryUnavailable:
    return LibraryUnavailable(_("图书馆系统暂时无法连接，请稍后再试。"))


def _volunteers_down() -> VolunteersUnavailable:
    return VolunteersUnavailable(_("志愿服务平台暂时无法连接，请稍后再试。"))


MIDDLE_DOTS = str.maketrans({"•": "·", "・": "·", "∙": "·", "‧": "·", ".": "·"})


def same_name(a: str, b: str) -> bool:
    """The library's record and the real-name record name the same person: equal after
    width folding (NFKC), without spaces, with every middle dot written alike (维吾尔族
    names are written 阿卜杜·热合曼, 阿卜杜•热合曼 or 阿卜杜.热合曼 by different systems)."""

    def fold(name: str) -> str:
        return "".join(unicodedata.normalize("NFKC", name).translate(MIDDLE_DOTS).split())

    return bool(fold(a)) and fold(a) == fold(b)


def _person(user: User) -> Person:
    person = identity_selectors.person_for_user(user)
    if person is None or not person.name:
        raise ValidationFailed(_("请先完成实名认证。"), code="no_real_name")
    return person


# --- the library -----------------------------------------------------------------------


def _store_account(card: LibraryCard, account: PatronAccount) -> bool:
    """Replace the card's loans and holds with what the library said; True if it changed."""
    before = sorted(card.loans.values_list("item_id", "due_on", "renewable"))
    card.loans.exclude(item_id__in=[loan.item_id for loan in account.loans]).delete()
    for loan in account.loans:
        LoanRecord.objects.update_or_create(
            card=card,
            item_id=loan.item_id,
            defaults={
                "title": loan.title[:200],
                "author": loan.author[:100],
                "due_on": loan.due_on,
                "renewable": loan.renewable,
            },
        )
    held = {hold.item_id: hold for hold in account.holds}
    card.holds.exclude(item_id__in=list(held)).delete()
    for hold in account.holds:
        HoldRecord.objects.update_or_create(
            card=card,
            item_id=hold.item_id,
            defaults={"title": hold.title[:200], "available": hold.available},
        )
    after = sorted(card.loans.values_list("item_id", "due_on", "renewable"))
    return before != after


def _bind_refused(*, actor: Actor, user: User, patron_id: str, error: ValidationFailed) -> NoReturn:
    """A refused binding leaves its trace (which account tried which card, and why) and
    binds nothing."""
    with transaction.atomic(durable=True):
        audit_record(
            actor=actor,
            action=audit_events.CARD_BIND_REFUSE,
            target_type="identity.user",
            target_id=str(user.pk),
            changes={"patron_tail": patron_id[-4:], "reason": error.code},
        )
    raise error


def library_card_bind(*, user: User, patron_id: str, password: str, actor: Actor) -> LibraryCard:
    """Bind a card the resident already holds: the library must know it, the password must
    match, the card must be usable and its holder's name must be the resident's real name."""
    patron_id = patron_id.strip()
    person = _person(user)
    if LibraryCard.objects.filter(user=user).exists():
        raise Conflict(_("您已绑定读者证。"), field="patron_id")
    if not PATRON_ID.match(patron_id):
        raise ValidationFailed(_("读者证号应为6至20位数字或字母。"), field="patron_id")
    if not password:
        raise ValidationFailed(_("请填写读者证密码。"), field="password")
    provider = conf.library()
    try:
        account = provider.account_get(patron_id=patron_id, password=password)
    except ProviderError as exc:
        logger.warning("library card bind: provider failed: %s", exc)
        raise _library_down() from exc
    patron = account.patron
    refusal: ValidationFailed | None = None
    if not patron.valid:
        refusal = ValidationFailed(
            _("图书馆没有这个读者证号，请核对后重新输入。"), code="unknown_card", field="patron_id"
        )
    elif not patron.password_ok:
        refusal = ValidationFailed(_("读者证密码不正确。"), code="wrong_password", field="password")
    elif patron.blocked:
        refusal = ValidationFailed(
            _("该读者证已挂失或暂停使用，请联系图书馆。"), code="card_blocked", field="patron_id"
        )
    elif not same_name(patron.name, person.name):
        refusal = ValidationFailed(
            _("该读者证登记的姓名与您的实名信息不一致，不能绑定。"),
            code="name_mismatch",
            field="patron_id",
        )
    elif LibraryCard.objects.filter(patron_id=patron_id, provider=provider.name).exists():
        refusal = ValidationFailed(
            _("该读者证已被其他账号绑定。"), code="card_taken", field="patron_id"
        )
    if refusal is not None:
        _bind_refused(actor=actor, user=user, patron_id=patron_id, error=refusal)
    with transaction.atomic(durable=True):
        card = LibraryCard.objects.create(
            user=user,
            patron_id=patron_id,
            password=password,
            provider=provider.name,
            synced_at=timezone.now(),
        )
        _store_account(card, account)
        audit_record(
            actor=actor,
            action=audit_events.CARD_BIND,
            target=card,
            changes={"patron_tail": patron_id[-4:], "loans": len(account.loans)},
        )
    return card


def library_card_open(*, user: User, actor: Actor) -> LibraryCard:
    """Open a card with the resident's real-name record (the library registers the reader
    by name and citizen ID and answers the card number and initial password)."""
    person = _person(user)
    if LibraryCard.objects.filter(user=user).exists():
        raise Conflict(_("您已绑定读者证。"))
    if not person.id_number:
        raise ValidationFailed(_("请先完成实名认证。"), code="no_real_name")
    provider = conf.library()
    try:
        patron_id, password = provider.patron_register(
            name=person.name, id_number=person.id_number, phone=person.phone
        )
        account = provider.account_get(patron_id=patron_id, password=password)
    except ProviderRefused as exc:
        raise ValidationFailed(
            _("该图书馆暂不支持在线办理读者证，请携带身份证到馆办理。"), code="open_refused"
        ) from exc
    except ProviderError as exc:
        logger.warning("library card open: provider failed: %s", exc)
        raise _library_down() from exc
    with transaction.atomic(durable=True):
        card = LibraryCard.objects.create(
            user=user,
            patron_id=patron_id,
            password=password,
            provider=provider.name,
            opened_online=True,
            synced_at=timezone.now(),
        )
        _store_account(card, account)
        audit_record(
            actor=actor,
            action=audit_events.CARD_OPEN,
            target=card,
            changes={"patron_tail": patron_id[-4:]},
        )
    return card


def library_card_sync(*, card_id: int) -> bool:
    """Ask the library for the card's loans and holds; True when it answered. A library
    that cannot be reached leaves the last answer in place and marks when it failed."""
    card = LibraryCard.objects.filter(pk=card_id).first()
    if card is None:
        return False
    try:
        account = conf.library().account_get(patron_id=card.patron_id, password=card.password)
        if not (account.patron.valid and account.patron.password_ok):
            raise ProviderError("the library no longer accepts the card's credentials")
    except ProviderError as exc:
        logger.warning("library card %s sync failed: %s", card_id, exc)
        LibraryCard.objects.filter(pk=card_id).update(sync_failed_at=timezone.now())
        cards_home_changed(card_ids=[card_id])  # the page says the library cannot be reached
        return False
    with transaction.atomic(durable=True):
        card = LibraryCard.objects.select_for_update().get(pk=card_id)
        changed = _store_account(card, account)
        card.synced_at = timezone.now()
        card.save(update_fields=["synced_at"])
        if changed:
            audit_record(
                actor=Actor.system("onepass"),
                action=audit_events.CARD_SYNC,
                target=card,
                changes={"loans": len(account.loans), "holds": len(account.holds)},
            )
    return True


def library_cards_sync(*, batch_size: int = 200) -> int:
    """Every card, in batches by id (beat): how many the library answered for."""
    done, last = 0, 0
    while True:
        ids = list(
            LibraryCard.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return done
        for card_id in ids:
            done += library_card_sync(card_id=card_id)
        last = ids[-1]


def _card_of(user: User) -> LibraryCard:
    card = LibraryCard.objects.filter(user=user).first()
    if card is None:
        raise NotFound(_("您还没有绑定读者证。"))
    return card


def _item_id(item_id: str) -> str:
    item_id = item_id.strip()
    if not ITEM_ID.match(item_id):
        raise ValidationFailed(_("请填写正确的图书条码号。"), field="item_id")
    return item_id


def loan_renew(*, user: User, item_id: str, actor: Actor) -> LoanRecord:
    card = _card_of(user)
    item_id = _item_id(item_id)
    loan = card.loans.filter(item_id=item_id).first()
    if loan is None:
        raise NotFound(_("您没有借阅这本书。"), field="item_id")
    try:
        outcome = conf.library().loan_renew(
            patron_id=card.patron_id, password=card.password, item_id=item_id
        )
    except ProviderRefused as exc:
        reason = exc.reason or _("图书馆未同意续借。")
        raise ValidationFailed(
            _("《%(title)s》续借失败：%(reason)s") % {"title": loan.title, "reason": reason},
            code="renew_refused",
            field="item_id",
        ) from exc
    except ProviderError as exc:
        logger.warning("renewal failed: %s", exc)
        raise _library_down() from exc
    with transaction.atomic(durable=True):
        loan = LoanRecord.objects.select_for_update().get(pk=loan.pk)
        before = loan.due_on
        loan.due_on = outcome.due_on
        loan.save(update_fields=["due_on", "updated_at"])
        audit_record(
            actor=actor,
            action=audit_events.LOAN_RENEW,
            target=loan,
            changes={
                "item_id": item_id,
                "due_on": [before.isoformat(), outcome.due_on.isoformat()],
            },
        )
    return loan


def hold_place(*, user: User, item_id: str, actor: Actor) -> HoldRecord:
    card = _card_of(user)
    item_id = _item_id(item_id)
    try:
        outcome = conf.library().hold_place(
            patron_id=card.patron_id, password=card.password, item_id=item_id
        )
    except ProviderRefused as exc:
        raise ValidationFailed(
            _("预约失败：%(reason)s") % {"reason": exc.reason or _("图书馆未同意预约。")},
            code="hold_refused",
            field="item_id",
        ) from exc
    except ProviderError as exc:
        logger.warning("hold failed: %s", exc)
        raise _library_down() from exc
    with transaction.atomic(durable=True):
        hold, _created = HoldRecord.objects.update_or_create(
            card=card,
            item_id=item_id,
            defaults={
                "title": (outcome.title or item_id)[:200],
                "available": outcome.available,
                "queue_position": outcome.queue_position,
                "pickup_location": outcome.pickup_location[:100],
            },
        )
        audit_record(
            actor=actor,
            action=audit_events.HOLD_PLACE,
            target=hold,
            changes={"item_id": item_id, "queue_position": outcome.queue_position},
        )
    return hold


def reminder_key(loan: LoanRecord) -> str:
    """One reminder per loan and due date: a renewed loan is reminded again."""
    return f"onepass:loan-due:{loan.card_id}:{loan.item_id}:{loan.due_on.isoformat()}"


def loan_remind(*, loan_id: int, today: datetime.date | None = None) -> bool:
    """Tell the borrower a loan is due soon (or overdue), once per loan and due date."""
    today = today or timezone.localdate()
    with transaction.atomic(durable=True):
        loan = LoanRecord.objects.select_related("card").filter(pk=loan_id).first()
        if loan is None:
            return False
        person = identity_selectors.person_for_user_id(user_id=loan.card.user_id)
        days = (loan.due_on - today).days
        template = (
            "library_overdue" if days < 0 else "library_due_today" if days == 0 else "library_due"
        )
        params: dict[str, object] = {"title": loan.title, "due": loan.due_on.isoformat()}
        if template == "library_due":
            params["days"] = days
        told = notify_tell(
            recipient=Recipient(user_id=loan.card.user_id, phone=person.phone if person else ""),
            template=template,
            params=params,
            kind="library",
            source_key=reminder_key(loan),
            link=LIBRARY_URL,
            reason=_("因为您借阅的图书将于%(due)s到期") % {"due": loan.due_on.isoformat()},
        )
        if not (told.message or told.sms):
            return False
        audit_record(
            actor=Actor.system("onepass"),
            action=audit_events.LOAN_REMIND,
            target=loan,
            changes={"due_on": loan.due_on.isoformat()},
        )
    return True


def loan_reminders_send(
    *,
    today: datetime.date | None = None,
    days_before: int = REMIND_DAYS_BEFORE,
    batch_size: int = 500,
) -> int:
    """Remind every loan due within ``days_before`` days or overdue by up to a week, in
    batches by id; how many reminders went out."""
    today = today or timezone.localdate()
    start = today - datetime.timedelta(days=7)
    end = today + datetime.timedelta(days=days_before)
    sent, last = 0, 0
    while True:
        ids = list(
            LoanRecord.objects.filter(pk__gt=last, due_on__range=(start, end))
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return sent
        for loan_id in ids:
            sent += loan_remind(loan_id=loan_id, today=today)
        last = ids[-1]


# --- volunteering ------------------------------------------------------------------------


def _volunteer_of(user: User) -> Volunteer:
    volunteer = Volunteer.objects.filter(user=user).first()
    if volunteer is None:
        raise NotFound(_("您还没有登记为志愿者。"))
    return volunteer


def _store_hours(volunteer: Volunteer, hours: VolunteerHours) -> bool:
    before = sorted(volunteer.hours.values_list("record_id", "hours"))
    for record in hours.records:
        ServiceHour.objects.update_or_create(
            volunteer=volunteer,
            record_id=record.record_id,
            defaults={
                "title": record.title[:200],
                "organiser": record.organiser[:100],
                "served_on": record.served_on,
                "hours": Decimal(str(record.hours)).quantize(Decimal("0.1")),
            },
        )
    volunteer.total_hours = Decimal(str(hours.total_hours)).quantize(Decimal("0.1"))
    volunteer.synced_at = timezone.now()
    volunteer.save(update_fields=["total_hours", "synced_at"])
    return before != sorted(volunteer.hours.values_list("record_id", "hours"))


def volunteer_register(*, user: User, actor: Actor) -> Volunteer:
    """Register as a volunteer with the real-name record; the district is the resident's
    own (a resident already known to the platform keeps their number and hours)."""
    person = _person(user)
    if Volunteer.objects.filter(user=user).exists():
        raise Conflict(_("您已登记为志愿者。"))
    if not person.id_number:
        raise ValidationFailed(_("请先完成实名认证。"), code="no_real_name")
    if not person.region_code:
        raise ValidationFailed(
            _("您的实名信息中没有所在区县，请先完善后再登记。"), code="no_district"
        )
    connector = conf.volunteers()
    try:
        profile = connector.volunteer_register(
            id_number=person.id_number,
            name=person.name,
            phone=person.phone,
            region_code=person.region_code,
        )
        hours = connector.hours_get(volunteer_id=profile.volunteer_id)
    except ProviderRefused as exc:
        raise ValidationFailed(
            _("志愿服务平台未同意登记：%(reason)s") % {"reason": exc.reason}, code="refused"
        ) from exc
    except ProviderError as exc:
        logger.warning("volunteer register failed: %s", exc)
        raise _volunteers_down() from exc
    with transaction.atomic(durable=True):
        volunteer = Volunteer.objects.create(
            user=user,
            volunteer_id=profile.volunteer_id,
            provider=connector.name,
            region_code=person.region_code[:6],
        )
        _store_hours(volunteer, hours)
        audit_record(
            actor=actor,
            action=audit_events.VOLUNTEER_REGISTER,
            target=volunteer,
            changes={"region_code": volunteer.region_code, "hours": str(volunteer.total_hours)},
        )
    return volunteer


def activity_join(*, user: User, activity_id: str, actor: Actor) -> ActivitySignup:
    volunteer = _volunteer_of(user)
    activity_id = activity_id.strip()[:64]
    if not activity_id:
        raise ValidationFailed(_("请选择要报名的活动。"), field="activity_id")
    if volunteer.signups.filter(activity_id=activity_id).exists():
        raise Conflict(_("您已报名该活动。"), field="activity_id")
    try:
        activity: Activity = conf.volunteers().activity_join(
            volunteer_id=volunteer.volunteer_id, activity_id=activity_id
        )
    except ProviderRefused as exc:
        raise ValidationFailed(
            _("报名失败：%(reason)s") % {"reason": exc.reason or _("活动方未同意报名。")},
            code="join_refused",
            field="activity_id",
        ) from exc
    except ProviderError as exc:
        logger.warning("activity join failed: %s", exc)
        raise _volunteers_down() from exc
    with transaction.atomic(durable=True):
        signup = ActivitySignup.objects.create(
            volunteer=volunteer,
            activity_id=activity.activity_id,
            title=activity.title[:200],
            organiser=activity.organiser[:100],
            place=activity.place[:200],
            starts_at=activity.starts_at,
            hours=Decimal(str(activity.hours)).quantize(Decimal("0.1")),
        )
        audit_record(
            actor=actor,
            action=audit_events.ACTIVITY_JOIN,
            target=signup,
            changes={"activity_id": activity.activity_id},
        )
    return signup


def volunteer_hours_sync(*, volunteer_pk: int) -> bool:
    """Ask the platform for the hours the organisers confirmed; True when it answered."""
    volunteer = Volunteer.objects.filter(pk=volunteer_pk).first()
    if volunteer is None:
        return False
    try:
        hours = conf.volunteers().hours_get(volunteer_id=volunteer.volunteer_id)
    except ProviderError as exc:
        logger.warning("volunteer %s hours sync failed: %s", volunteer_pk, exc)
        Volunteer.objects.filter(pk=volunteer_pk).update(sync_failed_at=timezone.now())
        return False
    with transaction.atomic(durable=True):
        volunteer = Volunteer.objects.select_for_update().get(pk=volunteer_pk)
        if _store_hours(volunteer, hours):
            audit_record(
                actor=Actor.system("onepass"),
                action=audit_events.HOURS_SYNC,
                target=volunteer,
                changes={"hours": str(volunteer.total_hours)},
            )
    return True


def hours_certificate_issue(*, user: User, actor: Actor) -> HoursCertificate:
    """The certificate of service hours (志愿服务时长证明) as an electronic licence in the
    resident's wallet, for the hours confirmed so far. The same total issues the same
    licence again; the licence's own audit row records the issue."""
    from onewindow.licences.services import licence_issue

    volunteer = _volunteer_of(user)
    person = _person(user)
    volunteer_hours_sync(volunteer_pk=volunteer.pk)
    volunteer.refresh_from_db()
    if volunteer.total_hours <= 0:
        raise ValidationFailed(_("您还没有已确认的志愿服务时长，暂不能开具证明。"), code="no_hours")
    existing = volunteer.certificates.filter(total_hours=volunteer.total_hours).first()
    if existing is not None:
        return existing
    as_of = timezone.localdate().isoformat()
    with transaction.atomic(durable=True):
        licence = licence_issue(
            actor=actor,
            licence_type_code=CERTIFICATE_TYPE,
            holder_person=person,
            issue_key=f"onepass:hours:{volunteer.pk}:{volunteer.total_hours}",
            claims={
                "volunteerId": volunteer.volunteer_id,
                "serviceHours": str(volunteer.total_hours),
                "asOf": as_of,
            },
            particulars=[
                {"label": "志愿者编号", "value": volunteer.volunteer_id, "public": True},
                {
                    "label": "累计志愿服务时长",
                    "value": f"{volunteer.total_hours} 小时",
                    "public": True,
                },
                {"label": "服务记录", "value": f"{volunteer.hours.count()} 次", "public": True},
                {"label": "统计截至", "value": as_of, "public": True},
            ],
        )
        certificate = HoursCertificate.objects.create(
            volunteer=volunteer,
            licence_id=licence.pk,
            licence_number=licence.number,
            total_hours=volunteer.total_hours,
        )
    return certificate


# --- the demo ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OnepassSeeded:
    card_id: int
    patron_id: str
    loans: int
    volunteer_id: str
    hours: Decimal


def onepass_demo_seed(*, user: User) -> OnepassSeeded:
    """Give a demo resident a library card (opened with their real name; the demo library
    lends it two books, one due in three days) and a volunteer registration with the hours
    the platform already holds. Idempotent; needs the fake library and volunteer platform
    (or the local SIP2 server) configured."""
    actor = Actor.system("demo-seed")
    card = LibraryCard.objects.filter(user=user).first()
    if card is None:
        card = library_card_open(user=user, actor=actor)
    else:
        library_card_sync(card_id=card.pk)
    volunteer = Volunteer.objects.filter(user=user).first()
    if volunteer is None:
        volunteer = volunteer_register(user=user, actor=actor)
    return OnepassSeeded(
        card_id=card.pk,
        patron_id=card.patron_id,
        loans=card.loans.count(),
        volunteer_id=volunteer.volunteer_id,
        hours=volunteer.total_hours,
    )


__all__ = [
    "LibraryUnavailable",
    "OnepassSeeded",
    "VolunteersUnavailable",
    "activity_join",
    "hold_place",
    "hours_certificate_issue",
    "library_card_bind",
    "library_card_open",
    "library_card_sync",
    "library_cards_sync",
    "loan_remind",
    "loan_reminders_send",
    "loan_renew",
    "onepass_demo_seed",
    "volunteer_hours_sync",
    "volunteer_register",
]
