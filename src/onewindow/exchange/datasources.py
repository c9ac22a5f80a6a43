"""Where resource data comes from: a ``DataSource`` per deployment. The demo city's is
``FakeCityDataSource``: records generated deterministically from the demo residents, so the
same person always has the same household registration, marital status, income and so on."""

from __future__ import annotations

import datetime
import hashlib
from typing import TYPE_CHECKING, Any, Protocol

from django.utils import timezone

from onewindow.core.identifiers import citizen_id_birth_date, citizen_id_gender

if TYPE_CHECKING:
    from onewindow.identity.models import Person

# Fields of the resources the demo chains use: (code, name, sensitivity).
RESOURCE_FIELDS: dict[str, list[tuple[str, str, str]]] = {
    "gz-gaj.identity": [
        ("name", "姓名", "internal"),
        ("gender", "性别", "internal"),
        ("birth_date", "出生日期", "internal"),
        ("id_valid", "身份证件有效", "internal"),
    ],
    "gz-gaj.household-registration": [
        ("name", "姓名", "internal"),
        ("region_code", "户籍地区划代码", "internal"),
        ("address", "户籍地址", "sensitive"),
        ("hukou_type", "户口性质", "internal"),
        ("household_head", "是否户主", "internal"),
        # [{"name", "gender", "birth_date" (YYYY-MM-DD)}], oldest first
        ("children", "同户子女", "sensitive"),
    ],
    "gz-mzj.marital-status": [
        ("marital_status", "婚姻状况", "sensitive"),
        ("registered_on", "最近登记日期", "sensitive"),
    ],
    "gz-mzj.income-assets": [
        ("household_size", "家庭人口", "internal"),
        ("monthly_income_per_capita", "家庭人均月收入（元）", "sensitive"),
        ("financial_assets", "家庭金融资产（元）", "sensitive"),
        ("vehicles", "机动车数量", "internal"),
    ],
    "gz-rsj.social-insurance": [
        ("insured", "正在参保", "internal"),
        ("contribution_years", "累计缴费年限", "internal"),
        ("employer", "参保单位", "sensitive"),
    ],
    "gz-ghzyj.property-records": [
        ("property_count", "名下住房套数", "sensitive"),
        ("total_area", "住房总建筑面积（平方米）", "sensitive"),
    ],
    "gz-zjj.housing-records": [
        ("assistance", "正在享受的住房保障", "internal"),
        ("since", "保障起始日期", "internal"),
    ],
    "gz-wjw.birth-records": [
        ("certificate_number", "出生医学证明编号", "internal"),
        ("child_name", "新生儿姓名", "sensitive"),
        ("child_gender", "新生儿性别", "internal"),
        ("birth_date", "出生日期", "internal"),
        ("birth_place", "助产机构", "internal"),
    ],
}
# Resources whose records are found by a number the applicant gives (``key``): the
# record is the subject's only when the number is one of theirs; a made-up number finds
# nothing.
KEYED_RESOURCES = {"gz-wjw.birth-records"}
MATERNITY_UNITS = ["广州市妇女儿童医疗中心", "广东省妇幼保健院", "中山大学附属第三医院"]
GENERIC_FIELDS = [("record_found", "有登记记录", "internal"), ("reference", "记录编号", "internal")]

MARITAL = ["未婚", "已婚", "离婚", "丧偶"]
NO_ASSISTANCE = {"assistance": "无", "since": ""}
HOUSING_ASSISTANCE = ["公共租赁住房", "住房租赁补贴"]

# The printed demo residents (by their demo phone number) have fixed records, so the demo
# shows both outcomes of the housing services' eligibility check; records not listed here
# are generated like everybody else's.
DEMO_PROFILES: dict[str, dict[str, dict[str, Any]]] = {
    # 陈嘉欣: a low-income household renting, no property — eligible for all three; her
    # newborn's medical birth certificate is the one the birth one-stop walkthrough names.
    "13800000001": {
        "gz-wjw.birth-records": {
            "certificate_number": "Q440106125",
            "child_name": "李嘉乐",
            "child_gender": "男",
            "birth_date": "2026-11-20",
            "birth_place": "广州市妇女儿童医疗中心",
        },
        "gz-mzj.income-assets": {
            "household_size": 3,
            "monthly_income_per_capita": 2600,
            "financial_assets": 30000,
            "vehicles": 0,
        },
        "gz-ghzyj.property-records": {"property_count": 0, "total_area": 0},
        "gz-rsj.social-insurance": {
            "insured": True,
            "contribution_years": 6,
            "employer": "广州市示例单位18号",
        },
        "gz-zjj.housing-records": NO_ASSISTANCE,
        "gz-mzj.marital-status": {"marital_status": "未婚", "registered_on": ""},
    },
    # 李志明: two flats, 186 m² — owns housing, ineligible for all three.
    "13800000002": {
        "gz-mzj.income-assets": {
            "household_size": 3,
            "monthly_income_per_capita": 3800,
            "financial_assets": 120000,
            "vehicles": 1,
        },
        "gz-ghzyj.property-records": {"property_count": 2, "total_area": 186},
        "gz-zjj.housing-records": NO_ASSISTANCE,
        # unmarried: he and 陈嘉欣 can register their marriage (docs/demo-walkthrough.md)
        "gz-mzj.marital-status": {"marital_status": "未婚", "registered_on": ""},
    },
    # 黄淑仪: income above every housing line (CNY 12,500 a month per head); married since
    # 2015, so a marriage registration naming her is refused on the marriage records.
    "13800000003": {
        "gz-mzj.marital-status": {"marital_status": "已婚", "registered_on": "2015-05-20"},
        "gz-mzj.income-assets": {
            "household_size": 2,
            "monthly_income_per_capita": 12500,
            "financial_assets": 800000,
            "vehicles": 1,
        },
        "gz-ghzyj.property-records": {"property_count": 0, "total_area": 0},
        "gz-zjj.housing-records": NO_ASSISTANCE,
    },
    # 林晓琳: a household on the edge of the minimum-living line (CNY 1,800 a month per head,
    # one small flat) — a low-income household for civil affairs.
    "13800000005": {
        "gz-mzj.income-assets": {
            "household_size": 2,
            "monthly_income_per_capita": 1800,
            "financial_assets": 20000,
            "vehicles": 0,
        },
        "gz-ghzyj.property-records": {"property_count": 1, "total_area": 48},
        "gz-zjj.housing-records": NO_ASSISTANCE,
    },
}
# The printed demo residents' children in their household (name, gender, date of birth), so
# their records agree with the household sizes above; the others' are generated. 梁国华's son
# turns 6 by 31 August of the coming enrolment year whenever the demo runs (SCHOOL_STARTER:
# born on 18 March six years before it), so the primary-school enrolment reminder has someone
# to tell. 陈嘉欣's newborn is not registered in her household yet (the birth one-stop does it).
SCHOOL_STARTER = "school-starter"
DEMO_CHILDREN: dict[str, list[tuple[str, str, str]]] = {
    "13800000001": [],
    "13800000002": [],
    "13800000003": [],
    "13800000004": [("梁子墨", "男", SCHOOL_STARTER)],
    "13800000005": [("林浩然", "男", "2014-09-02")],
}
CHILD_NAMES = ["小雨", "嘉乐", "若汐", "子墨", "思彤", "浩然"]
STREETS = ["中山大道", "天河路", "环市东路", "江南大道", "工业大道", "解放北路", "黄埔大道"]


def fields_for(resource_code: str) -> list[tuple[str, str, str]]:
    return RESOURCE_FIELDS.get(resource_code, GENERIC_FIELDS)


class DataSource(Protocol):
    def fetch(self, resource_code: str, person: Person, *, key: str = "") -> dict[str, Any] | None:
        """The resource's record for this person (all fields), or None if there is none.
        ``key``: the number of the record asked for (a birth certificate's), which must be
        one of this person's; "" for their record of a resource that needs no number."""
        ...


def _n(person: Person, salt: str, mod: int) -> int:
    seed = f"{person.pk}:{person.birth_date}:{person.region_code}:{salt}".encode()
    return int(hashlib.sha256(seed).hexdigest(), 16) % mod


def _identity_record(person: Person) -> dict[str, Any]:
    """The population register's entry: sex and date of birth as the citizen ID states them
    (a person registered without them on the platform still has them there)."""
    gender, born = person.gender, person.birth_date
    if person.id_number and (not gender or born is None):
        try:
            gender = gender or citizen_id_gender(person.id_number)
            born = born or citizen_id_birth_date(person.id_number)
        except (ValueError, IndexError):  # not a valid citizen ID: nothing to read from it
            pass
    return {
        "name": person.name,
        "gender": str(GENDER_LABELS.get(gender or "", "")),
        "birth_date": born.isoformat() if born else "",
        "id_valid": True,
    }


GENDER_LABELS = {"M": "男", "F": "女"}


class FakeCityDataSource:
    """The demo city's departments, answering from the demo residents."""

    def fetch(self, resource_code: str, person: Person, *, key: str = "") -> dict[str, Any] | None:
        fixed = DEMO_PROFILES.get(person.phone or "", {}).get(resource_code)
        record = dict(fixed) if fixed is not None else self._generated(resource_code, person)
        if resource_code in KEYED_RESOURCES and record is not None:
            wanted = key.strip().upper()
            if wanted and wanted != record.get("certificate_number"):
                return None
        return record

    def _generated(self, resource_code: str, person: Person) -> dict[str, Any] | None:
        age = 30
        if person.birth_date is not None:
            age = max(0, 2026 - person.birth_date.year)
        region = person.region_code or "440106"
        if resource_code == "gz-gaj.identity":
            return _identity_record(person)
        if resource_code == "gz-gaj.household-registration":
            street = STREETS[_n(person, "street", len(STREETS))]
            return {
                "name": person.name,
                "region_code": region,
                "address": f"广州市{street}{_n(person, 'no', 900) + 1}号",
                "hukou_type": "城镇" if _n(person, "hukou", 10) < 8 else "农村",
                "household_head": _n(person, "head", 2) == 0,
                "children": household_children(person),
            }
        if resource_code == "gz-mzj.marital-status":
            # Young residents are mostly unmarried, so the marriage chain can be demonstrated.
            status = "未婚" if age < 32 else MARITAL[_n(person, "marital", 4)]
            year = 2026 - _n(person, "married", max(age - 20, 1))
            return {
                "marital_status": status,
                "registered_on": "" if status == "未婚" else f"{year}-05-20",
            }
        if resource_code == "gz-mzj.income-assets":
            return {
                "household_size": 1 + _n(person, "size", 5),
                "monthly_income_per_capita": 1500 + 500 * _n(person, "income", 20),
                "financial_assets": 10000 * _n(person, "assets", 50),
                "vehicles": _n(person, "cars", 3) // 2,
            }
        if resource_code == "gz-rsj.social-insurance":
            years = min(max(age - 22, 0), _n(person, "years", 25))
            return {
                "insured": years > 0,
                "contribution_years": years,
                "employer": f"广州市示例单位{_n(person, 'employer', 90) + 10}号" if years else "",
            }
        if resource_code == "gz-zjj.housing-records":
            # Most households have no housing assistance; one in ten rents public housing or
            # receives the rental subsidy.
            kind = _n(person, "assistance", 20)
            if kind >= len(HOUSING_ASSISTANCE):
                return dict(NO_ASSISTANCE)
            return {
                "assistance": HOUSING_ASSISTANCE[kind],
                "since": f"{2025 - _n(person, 'assisted', 6)}-03-01",
            }
        if resource_code == "gz-wjw.birth-records":
            return birth_record(person)
        if resource_code == "gz-ghzyj.property-records":
            count = [0, 0, 0, 1, 1, 2][_n(person, "props", 6)]
            return {"property_count": count, "total_area": count * (60 + _n(person, "area", 60))}
        return {
            "record_found": True,
            "reference": f"{resource_code.split('.')[0].upper()}{_n(person, resource_code, 10**8)}",
        }


def enrolment_year(today: datetime.date) -> int:
    """The year of the coming primary-school enrolment (31 August is its cut-off)."""
    return today.year if today.month <= 8 else today.year + 1


def household_children(person: Person) -> list[dict[str, str]]:
    """The children registered in the person's household, oldest first: the printed demo
    residents' fixed ones (``DEMO_CHILDREN``); for the others, none, one or two, born when the
    parent was 24 to 40 and before 2026, the same every time."""
    fixed = DEMO_CHILDREN.get(person.phone or "")
    if fixed is not None:
        starter = datetime.date(enrolment_year(timezone.localdate()) - 6, 3, 18).isoformat()
        return [
            {
                "name": name,
                "gender": gender,
                "birth_date": starter if born == SCHOOL_STARTER else born,
            }
            for name, gender, born in fixed
        ]
    if person.birth_date is None:
        return []
    born = person.birth_date.year
    count = [0, 0, 1, 1, 2][_n(person, "children", 5)]
    children: list[dict[str, str]] = []
    for index in range(count):
        year = born + 24 + _n(person, f"child-{index}-year", 17)
        if year > 2025:
            break
        if children and year <= int(children[-1]["birth_date"][:4]):
            year = int(children[-1]["birth_date"][:4]) + 2
            if year > 2025:
                break
        surname = (person.name or "")[:1]
        children.append(
            {
                "name": surname + CHILD_NAMES[_n(person, f"child-{index}-name", len(CHILD_NAMES))],
                "gender": "男" if _n(person, f"child-{index}-gender", 2) else "女",
                "birth_date": datetime.date(
                    year,
                    1 + _n(person, f"child-{index}-month", 12),
                    1 + _n(person, f"child-{index}-day", 28),
                ).isoformat(),
            }
        )
    return children


def birth_record(person: Person) -> dict[str, Any]:
    """The demo city's birth record of this parent's newest child: its medical birth
    certificate number (a letter and nine digits), the child's name, gender, date of birth
    and maternity unit, the same every time."""
    day = 1 + _n(person, "born-day", 28)
    return {
        "certificate_number": f"Q{_n(person, 'birth-cert', 10**9):09d}",
        "child_name": (person.name or "")[:1]
        + ["小雨", "嘉乐", "若汐", "子墨"][_n(person, "kid", 4)],
        "child_gender": "男" if _n(person, "kid-gender", 2) else "女",
        "birth_date": f"2026-{1 + _n(person, 'born-month', 10):02d}-{day:02d}",
        "birth_place": MATERNITY_UNITS[_n(person, "unit", len(MATERNITY_UNITS))],
    }


def data_source() -> DataSource:
    return FakeCityDataSource()
