"""A refusal a resident can act on: when a case ends rejected the department issues a decision
letter (不予批准 / 不予许可 / 不予受理决定书) with a number, the issuer and the date, the reasons
with the figures against the standards and where they came from, the records looked up, and
the remedies (reconsideration within 60 days, a suit within 6 months, with the bodies the
package names or the city's defaults). The resident reads it on the case page and downloads it
as a PDF; staff see it on the staff case page. 李志明, the demo resident with two flats
(186 m² for three people), applies for public rental housing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.audit.models import AuditEvent
from onewindow.cases.letters import letter_kind_default, letter_view
from onewindow.cases.models import Case, DecisionLetter
from onewindow.cases.tests.test_housing_eligibility import submit_and_check
from onewindow.identity.models import User
from onewindow.testing.applying import act, apply
from onewindow.testing.factories import PersonFactory
from onewindow.testing.housing import DECLARED_POOR, TWO_FLATS
from onewindow.testing.pdftools import pdf_text

pytestmark = pytest.mark.django_db

FIGURE = "家庭人均住房建筑面积 62 平方米，标准为低于 15 平方米"
REMEDIES = (
    "如不服本决定，可以自知道本决定之日起60日内向广州市人民政府申请行政复议，"
    "也可以自知道本决定之日起6个月内向广州铁路运输法院提起行政诉讼。"
)


def li_zhiming() -> Any:
    return PersonFactory(name="李志明", phone=TWO_FLATS, region_code="440104")


def refused_li(**kwargs: Any) -> Case:
    return submit_and_check("public-rental-housing", li_zhiming(), DECLARED_POOR)


def staff_client(username: str) -> Client:
    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()
    return client


def test_li_zhiming_is_refused_with_the_figure_the_records_and_his_remedies(city):
    case = refused_li()
    assert case.status == Case.Status.REJECTED
    # what the notification and the case page say: the table's reason and the figure
    assert case.outcome_note == f"家庭人均住房建筑面积不低于15平方米（{FIGURE}）"
    letter = DecisionLetter.objects.get(case=case)
    year = timezone.localtime(letter.issued_at).year
    assert letter.kind == DecisionLetter.Kind.APPROVAL
    assert letter.issuer.code == "gz-zjj"
    assert letter.number == f"广州市住房和城乡建设局不予批准〔{year}〕1号"
    view = letter_view(letter)
    assert view.title == "不予批准决定书"
    assert view.addressee == "李志明"
    assert view.opening.startswith(
        f"你于{case.submitted_at.year}年"  # type: ignore[union-attr]
    )
    assert "“公共租赁住房申请（户籍住房困难家庭）”" in view.opening
    assert "本机关决定不予批准。理由如下：" in view.opening
    [reason] = view.reasons
    assert reason.text == "家庭人均住房建筑面积不低于15平方米"
    [detail] = reason.details
    assert detail.startswith(f"{FIGURE}。数据来源：不动产登记信息（广州市规划和自然资源局），")
    assert detail.endswith(" 调取")
    property_line = next(r for r in view.records if r.startswith("不动产登记信息"))
    assert property_line.startswith("不动产登记信息（广州市规划和自然资源局提供）：")
    assert "调取（调用记录 EX" in property_line
    # marriage, housing assistance, household, property, income, social insurance
    assert len(view.records) == 6
    assert view.legal_basis.startswith("依据：《公共租赁住房管理办法》")
    assert view.remedies == REMEDIES


def test_the_resident_reads_the_letter_on_the_case_page_and_downloads_it(city):
    case = refused_li()
    letter = DecisionLetter.objects.get(case=case)
    client = Client()
    client.force_login(case.created_by)
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert "您的申请未获通过，决定书：不予批准决定书。" in page
    assert letter.number in page and FIGURE in page and REMEDIES in page
    assert f'href="/cases/{case.number}/letter.pdf"' in page

    response = client.get(f"/cases/{case.number}/letter.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert str(response["Content-Disposition"]).startswith("attachment;")
    text = pdf_text(response.content)
    for expected in (
        "广州市住房和城乡建设局",
        "不予批准决定书",
        letter.number,
        "李志明：",
        "本机关决定不予批准",
        FIGURE,
        "数据来源：不动产登记信息（广州市规划和自然资源局）",
        REMEDIES,
        str(case.number),
    ):
        assert expected in text, expected

    stranger: Any = PersonFactory()
    other = Client()
    other.force_login(stranger.user)
    assert other.get(f"/cases/{case.number}/letter.pdf").status_code == 404


def test_staff_see_the_letter_on_the_case_page_and_its_download_is_audited(city):
    case = refused_li()
    letter = DecisionLetter.objects.get(case=case)
    clerk = staff_client("zjj_clerk")  # accepted the case
    page = clerk.get(f"/workbench/cases/{case.number}/").content.decode()
    assert 'data-testid="refusal-letter"' in page
    assert letter.number in page and FIGURE in page
    section = page[page.index('data-testid="refusal-letter"') :]
    section = section[: section.index("</section>")]
    assert "<dd>李*明</dd>" in section  # the addressee masked as the staff pages mask names
    response = clerk.get(f"/workbench/cases/{case.number}/letter.pdf")
    assert response.status_code == 200
    assert "李志明：" in pdf_text(response.content)  # the document itself as issued
    audit = AuditEvent.objects.get(action="cases.letter.download")
    assert audit.changes == {"case": case.number, "number": letter.number}
    # a department with no task in the case does not reach it
    assert (
        staff_client("jyj_approver").get(f"/workbench/cases/{case.number}/letter.pdf").status_code
        == 404
    )


def test_a_department_refusal_names_the_department_and_the_city_default_remedies(
    parallel_service, resident, staff
):
    case = apply(resident.user, "grad-employment-test")
    act(staff("rsj_clerk"), case, "accept")
    act(staff("gaj_approver"), case, "police", decision="reject", comment="户籍材料不符")
    letter = DecisionLetter.objects.get(case=case)
    assert letter.issuer.code == "gz-rsj"  # the department that owns the service issues it
    assert letter.kind == DecisionLetter.Kind.APPROVAL  # outcome: decision
    view = letter_view(letter)
    assert [(r.text, r.details) for r in view.reasons] == [("经广州市公安局审查：户籍材料不符", [])]
    # no refusal: block in the package: the government above the issuer, the competent court
    assert view.remedies == (
        "如不服本决定，可以自知道本决定之日起60日内向广州市人民政府申请行政复议，"
        "也可以自知道本决定之日起6个月内向有管辖权的人民法院提起行政诉讼。"
    )


def test_a_refusal_at_acceptance_is_a_decision_not_to_accept(parallel_service, resident, staff):
    case = apply(resident.user, "grad-employment-test")
    act(staff("rsj_clerk"), case, "accept", decision="reject", comment="材料不齐全")
    letter = DecisionLetter.objects.get(case=case)
    year = timezone.localtime(letter.issued_at).year
    assert letter.kind == DecisionLetter.Kind.ACCEPTANCE
    assert letter.number == f"广州市人力资源和社会保障局不予受理〔{year}〕1号"
    view = letter_view(letter)
    assert view.title == "不予受理决定书"
    assert "本机关决定不予受理。理由如下：" in view.opening


def test_letters_are_numbered_per_issuer_and_year(parallel_service, resident, staff):
    numbers = []
    for _ in range(2):
        case = apply(resident.user, "grad-employment-test")
        act(staff("rsj_clerk"), case, "accept", decision="reject", comment="材料不齐全")
        numbers.append(DecisionLetter.objects.get(case=case).number)
    assert [n.rsplit("〕", 1)[1] for n in numbers] == ["1号", "2号"]


def test_an_approved_case_has_no_letter(parallel_service, resident, staff):
    case = apply(resident.user, "grad-employment-test")
    act(staff("rsj_clerk"), case, "accept")
    for username, element in (("rsj_approver", "hr"), ("jyj_approver", "edu")):
        act(staff(username), case, element)
    act(staff("gaj_approver"), case, "police")
    case.refresh_from_db()
    assert not DecisionLetter.objects.filter(case=case).exists()
    client = Client()
    client.force_login(resident.user)
    assert client.get(f"/cases/{case.number}/letter.pdf").status_code == 404


def test_the_letter_kind_follows_the_package_then_the_outcome():
    assert letter_kind_default({"outcome": {"type": "licence"}}) == "licensing"
    assert letter_kind_default({"outcome": {"type": "decision"}}) == "approval"
    assert (
        letter_kind_default({"outcome": {"type": "licence"}, "refusal": {"letter": "approval"}})
        == "approval"
    )
