"""In-process stand-ins: the demo library (the catalogue's readers and books, loans due
relative to today) and a volunteer platform with a few activities in every district.

State changed by a renewal or a hold lives in the process (class attributes), like a
small library that forgets at night; ``reset()`` clears it for tests. ``down`` makes every
call fail as a system that cannot be reached does."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
from typing import ClassVar

from onewindow.core.regions import region_name
from onewindow.onepass import catalogue
from onewindow.onepass.providers.base import (
    Activity,
    HoldItem,
    HoldOutcome,
    Item,
    Loan,
    Patron,
    PatronAccount,
    ProviderError,
    ProviderRefused,
    RenewOutcome,
    ServiceRecord,
    VolunteerHours,
    VolunteerProfile,
)


class FakeLibrary:
    name = "fake"
    down: ClassVar[bool] = False
    renewed: ClassVar[dict[tuple[str, str], tuple[datetime.date, int]]] = {}
    held: ClassVar[dict[str, list[str]]] = {}

    @classmethod
    def reset(cls) -> None:
        cls.down = False
        cls.renewed = {}
        cls.held = {}

    def _check(self) -> None:
        if type(self).down:
            raise ProviderError("library system unreachable")

    def _reader(self, patron_id: str) -> catalogue.Reader | None:
        reader = catalogue.READERS_BY_ID.get(patron_id)
        if reader is None and catalogue.is_opened(patron_id):
            reader = catalogue.Reader(
                patron_id,
                catalogue.opened_password(patron_id),
                "",
                catalogue.opened_loans(patron_id),
            )
        return reader

    def patron_get(self, *, patron_id: str, password: str) -> Patron:
        self._check()
        reader = self._reader(patron_id)
        ok = reader is not None and reader.password == password
        return Patron(
            patron_id=patron_id,
            name=reader.name if reader and ok else "",
            valid=reader is not None,
            password_ok=ok,
            blocked=bool(reader and reader.blocked),
        )

    def _loans(self, reader: catalogue.Reader) -> tuple[Loan, ...]:
        today = datetime.date.today()
        loans = []
        for item_id, days in reader.loans:
            book = catalogue.BOOKS_BY_ID[item_id]
            due_on, _times = type(self).renewed.get(
                (reader.patron_id, item_id), (catalogue.due(today, days), 0)
            )
            loans.append(
                Loan(
                    item_id=item_id,
                    title=book.title,
                    author=book.author,
                    due_on=due_on,
                    renewable=not reader.blocked and item_id not in catalogue.HELD_BY_OTHERS,
                )
            )
        return tuple(loans)

    def account_get(self, *, patron_id: str, password: str) -> PatronAccount:
        patron = self.patron_get(patron_id=patron_id, password=password)
        reader = self._reader(patron_id)
        if reader is None or not patron.password_ok:
            return PatronAccount(patron)
        holds = [*reader.holds, *type(self).held.get(patron_id, [])]
        return PatronAccount(
            patron,
            self._loans(reader),
            tuple(HoldItem(i, catalogue.BOOKS_BY_ID[i].title) for i in holds),
        )

    def loan_renew(self, *, patron_id: str, password: str, item_id: str) -> RenewOutcome:
        account = self.account_get(patron_id=patron_id, password=password)
        if not account.patron.password_ok:
            raise ProviderRefused("读者证号或密码错误")
        loan = next((loan for loan in account.loans if loan.item_id == item_id), None)
        if loan is None:
            raise ProviderRefused("该读者没有借阅这一册")
        if not loan.renewable:
            raise ProviderRefused("该书已被其他读者预约，不能续借")
        _due, times = type(self).renewed.get((patron_id, item_id), (loan.due_on, 0))
        if times >= catalogue.MAX_RENEWALS:
            raise ProviderRefused("已达到续借次数上限")
        due_on = datetime.date.today() + datetime.timedelta(days=catalogue.LOAN_DAYS)
        type(self).renewed[(patron_id, item_id)] = (due_on, times + 1)
        return RenewOutcome(item_id=item_id, title=loan.title, due_on=due_on)

    def hold_place(self, *, patron_id: str, password: str, item_id: str) -> HoldOutcome:
        account = self.account_get(patron_id=patron_id, password=password)
        if not account.patron.password_ok:
            raise ProviderRefused("读者证号或密码错误")
        book = catalogue.BOOKS_BY_ID.get(item_id)
        if book is None:
            raise ProviderRefused("馆藏中没有这一册")
        if any(loan.item_id == item_id for loan in account.loans):
            raise ProviderRefused("您已借阅这一册，不能预约")
        if any(hold.item_id == item_id for hold in account.holds):
            raise ProviderRefused("您已预约这一册")
        type(self).held.setdefault(patron_id, []).append(item_id)
        return HoldOutcome(
            item_id=item_id,
            title=book.title,
            queue_position=1,
            pickup_location=catalogue.PICKUP_LOCATION,
        )

    def item_get(self, *, item_id: str) -> Item:
        self._check()
        book = catalogue.BOOKS_BY_ID.get(item_id)
        if book is None:
            raise ProviderRefused("馆藏中没有这一册")
        return Item(item_id, book.title, book.author, available=True, location=book.location)

    def patron_register(self, *, name: str, id_number: str, phone: str) -> tuple[str, str]:
        self._check()
        patron_id = catalogue.opened_patron_id(id_number)
        return patron_id, catalogue.opened_password(patron_id)


# --- volunteering ------------------------------------------------------------------------

ACTIVITY_TEMPLATES: tuple[tuple[str, str, str, float], ...] = (
    ("社区长者饭堂助餐服务", "{district}长者综合服务中心", "{district}街道长者饭堂", 3.0),
    ("图书馆少儿阅读推广志愿者", "广州图书馆志愿服务队", "广州图书馆少儿部", 4.0),
    ("垃圾分类桶边督导", "{district}城市管理和综合执法局", "{district}各居民小区投放点", 2.0),
    ("无偿献血宣传引导", "广州血液中心", "{district}献血屋", 3.5),
    ("地铁站文明引导", "广州地铁志愿服务总队", "{district}地铁站", 4.0),
)


def district_name(region_code: str) -> str:
    return region_name(region_code, "广州市")


def fake_activities(region_code: str, on_or_after: datetime.date) -> list[Activity]:
    district = district_name(region_code)
    found = []
    for index, (title, organiser, place, hours) in enumerate(ACTIVITY_TEMPLATES):
        day = on_or_after + datetime.timedelta(days=2 + index * 3)
        start = datetime.datetime.combine(day, datetime.time(9 + index % 3, 0)).astimezone()
        found.append(
            Activity(
                activity_id=f"{region_code[:6] or '440100'}-{index + 1:03d}",
                title=title,
                organiser=organiser.format(district=district),
                region_code=region_code[:6],
                place=place.format(district=district),
                starts_at=start,
                ends_at=start + datetime.timedelta(hours=hours),
                hours=hours,
                capacity=20 if index != 3 else 2,
                joined=5 + index if index != 3 else 2,
            )
        )
    return found


class FakeVolunteers:
    name = "fake"
    down: ClassVar[bool] = False
    joined: ClassVar[dict[str, set[str]]] = {}
    extra_records: ClassVar[dict[str, list[ServiceRecord]]] = {}

    @classmethod
    def reset(cls) -> None:
        cls.down = False
        cls.joined = {}
        cls.extra_records = {}

    def _check(self) -> None:
        if type(self).down:
            raise ProviderError("volunteer platform unreachable")

    def volunteer_register(
        self, *, id_number: str, name: str, phone: str, region_code: str
    ) -> VolunteerProfile:
        self._check()
        digest = hashlib.sha256(f"gzvol:{id_number}".encode()).hexdigest()
        return VolunteerProfile(f"GZV{int(digest[:10], 16) % 10**9:09d}", name, region_code[:6])

    def _with_signups(self, activity: Activity) -> Activity:
        extra = sum(activity.activity_id in ids for ids in type(self).joined.values())
        return dataclasses.replace(activity, joined=activity.joined + extra)

    def activities_near(self, *, region_code: str, on_or_after: datetime.date) -> list[Activity]:
        self._check()
        return [self._with_signups(a) for a in fake_activities(region_code, on_or_after)]

    def activity_join(self, *, volunteer_id: str, activity_id: str) -> Activity:
        self._check()
        region = activity_id.split("-")[0]
        found = {
            a.activity_id: self._with_signups(a)
            for a in fake_activities(region, datetime.date.today())
        }
        activity = found.get(activity_id)
        if activity is None:
            raise ProviderRefused("活动不存在或已结束")
        if activity_id in type(self).joined.get(volunteer_id, set()):
            raise ProviderRefused("您已报名该活动")
        if activity.full:
            raise ProviderRefused("活动名额已满")
        type(self).joined.setdefault(volunteer_id, set()).add(activity_id)
        return dataclasses.replace(activity, joined=activity.joined + 1)

    def hours_get(self, *, volunteer_id: str) -> VolunteerHours:
        """Two past services every volunteer has (derived from the number), and any a test
        or the demo added."""
        self._check()
        seed = int(hashlib.sha256(volunteer_id.encode()).hexdigest()[:6], 16)
        today = datetime.date.today()
        records = [
            ServiceRecord(
                f"{volunteer_id}-R1",
                "社区长者饭堂助餐服务",
                "社区长者饭堂助餐服务",
                today - datetime.timedelta(days=20 + seed % 10),
                3.0,
                "长者综合服务中心",
            ),
            ServiceRecord(
                f"{volunteer_id}-R2",
                "图书馆少儿阅读推广志愿者",
                "图书馆少儿阅读推广志愿者",
                today - datetime.timedelta(days=45 + seed % 7),
                4.5,
                "广州图书馆志愿服务队",
            ),
            *type(self).extra_records.get(volunteer_id, []),
        ]
        return VolunteerHours(volunteer_id, round(sum(r.hours for r in records), 1), tuple(records))
