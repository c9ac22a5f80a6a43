"""A guide's words agree with its package: a text promising "N个工作日内办结" names the
package's promised or statutory time limit (the 企业开办 guide once said 0.5 working days
where the case's deadline was 1)."""

from __future__ import annotations

from onewindow.catalog.packages import PackageSource, ValidationContext, package_load
from onewindow.testing.packages import files_for, service


def _problems(**changes: object) -> list[str]:
    files = files_for(service(time_limit={"statutory_days": 3, "promised_days": 1}, **changes))
    source = PackageSource(label="pkg", folder_name="", files=files)
    problems = package_load(source, ValidationContext.from_demo_city()).problems
    return [str(p) for p in problems if "文字写明" in str(p)]


def test_a_text_promising_another_time_limit_is_a_problem_at_that_text() -> None:
    conditions = {"zh": "材料齐全的，0.5个工作日内办结，执照免费寄递。", "en": "Same day."}
    found = _problems(conditions=conditions)
    assert len(found) == 1 and found[0].startswith("pkg/service.yaml:"), found
    assert found[0].endswith(
        "文字写明“0.5个工作日内办结”，与 time_limit 的承诺办结时限（1个工作日）不一致："
        "请改正文字或时限。"
    )


def test_the_promised_or_statutory_limit_in_the_text_is_fine() -> None:
    assert _problems(conditions={"zh": "1个工作日内办结。", "en": "One day."}) == []
    assert _problems(summary={"zh": "法定3个工作日内办结，承诺1个工作日。", "en": "."}) == []
