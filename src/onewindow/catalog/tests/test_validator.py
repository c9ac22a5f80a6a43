"""service_validate: every problem names its file and line in Chinese; a good package has
none."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import call_command

from onewindow.catalog.packages import (
    PackageSource,
    ValidationContext,
    package_load,
    sources_from_paths,
    sources_from_zip,
)
from onewindow.catalog.packages.process import engine
from onewindow.testing.packages import bpmn, files_for, form, service, write_package, zip_of

needs_engine = pytest.mark.skipif(engine() is None, reason="case engine not available yet")


@pytest.fixture
def city() -> ValidationContext:
    return ValidationContext.from_demo_city()


def problems_of(files: dict[str, bytes], city: ValidationContext, folder: str = "") -> list[str]:
    source = PackageSource(label="pkg", folder_name=folder, files=files)
    return [str(p) for p in package_load(source, city).problems]


def line_of(files: dict[str, bytes], prefix: str) -> int:
    lines = files["service.yaml"].decode().splitlines()
    return next(i for i, line in enumerate(lines, start=1) if line.startswith(prefix))


def test_a_good_package_has_no_problems(city):
    assert problems_of(files_for(), city) == []


def test_a_good_package_with_its_own_process_has_no_problems(city):
    assert problems_of(files_for(process=bpmn()), city) == []


def test_bad_yaml_is_reported_with_its_line(city):
    text = "code: x\nname: {zh: 名称\nkind: [personal\n"
    found = problems_of(files_for(service_text=text), city)
    assert len(found) == 1
    assert re.match(r"pkg/service.yaml:\d+: YAML 语法错误", found[0])


def test_unknown_department_points_at_its_line(city):
    files = files_for(service(department="gz-nope"))
    found = problems_of(files, city)
    assert f"pkg/service.yaml:{line_of(files, 'department:')}: 部门 gz-nope 不存在。" in found


def test_unknown_role_in_the_roles_mapping(city):
    definition = service()
    definition["roles"]["approver"]["role"] = "boss"
    found = problems_of(files_for(definition), city)
    assert any(p.startswith("pkg/service.yaml:") and "角色 boss 不存在" in p for p in found)


def test_unknown_licence_type_and_exchange_resource(city):
    definition = service()
    definition["materials"][1]["resource"] = "gz-gaj.unknown"
    definition["materials"][2]["licence_type"] = "dragon-licence"
    found = problems_of(files_for(definition), city)
    assert any("未知的共享数据资源：gz-gaj.unknown" in p for p in found)
    assert any("未知的证照类型：dragon-licence" in p for p in found)


def test_form_fields_name_questions_of_the_form_and_only_on_licence_materials(city):
    definition = service()
    definition["materials"][2]["form_fields"] = {"applicant_name": "holderName", "nope": "x"}
    definition["materials"][0]["form_fields"] = {"applicant_name": "holderName"}
    files = files_for(definition)
    found = problems_of(files, city)
    nope = line_of(files, "    nope:")
    assert any(
        p.startswith(f"pkg/service.yaml:{nope}: ") and "nope 不是申请表" in p for p in found
    ), found
    assert any("只有电子证照（source: licence）的材料才写 form_fields" in p for p in found)
    assert not any("applicant_name 不是申请表" in p for p in found)


def test_unknown_life_event_and_topic(city):
    found = problems_of(files_for(service(life_events=["flying"], topics=["magic"])), city)
    assert any("未知的人生事件：flying" in p for p in found)
    assert any("未知的主题：magic" in p for p in found)


def test_statutory_days_below_promised_days(city):
    found = problems_of(
        files_for(service(time_limit={"statutory_days": 5, "promised_days": 7})), city
    )
    assert any("法定办结时限（5个工作日）不能少于承诺办结时限（7个工作日）" in p for p in found), (
        found
    )


def test_fee_must_be_a_positive_decimal(city):
    definition = service()
    definition["fees"][0]["amount"] = "0"
    assert any("收费金额应为正数" in p for p in problems_of(files_for(definition), city))
    definition["fees"][0]["amount"] = "12.345"
    found = problems_of(files_for(definition), city)
    assert any("「fees[0].amount」的格式不正确" in p for p in found), found


def test_format_errors_name_the_key(city):
    found = problems_of(files_for(service(online_depth=7, kind="alien")), city)
    assert any("「online_depth」不能大于4" in p for p in found), found
    assert any("「kind」只能是以下之一：personal、enterprise" in p for p in found), found


def test_code_must_match_the_folder(city):
    found = problems_of(files_for(), city, folder="other-folder")
    assert any("应与目录名 other-folder 一致" in p for p in found)


def test_bad_form_schema(city):
    schema = form()
    del schema["properties"]["phone"]["x-title-en"]
    schema["x-order"].append("ghost")
    schema["properties"]["trips"]["type"] = "integr"
    found = problems_of(files_for(schema=schema), city)
    assert any(
        p.startswith("pkg/form.schema.json:") and "不是有效的 JSON Schema" in p for p in found
    )
    schema["properties"]["trips"]["type"] = "integer"
    found = problems_of(files_for(schema=schema), city)
    assert any("字段 phone 缺少英文标题 x-title-en" in p for p in found), found
    assert any("x-order 中的字段 ghost 不存在" in p for p in found), found


def test_form_schema_json_syntax_error_has_its_line(city):
    files = files_for()
    files["form.schema.json"] = b'{\n  "type": "object",\n  "properties": {,}\n}'
    found = problems_of(files, city)
    assert found == [found[0]] and found[0].startswith("pkg/form.schema.json:3: JSON 语法错误")


def test_unknown_format_in_form(city):
    schema = form()
    schema["properties"]["phone"]["format"] = "telephone"
    found = problems_of(files_for(schema=schema), city)
    assert any("format telephone 不受支持" in p for p in found)


def test_unmapped_candidate_group(city):
    found = problems_of(files_for(process=bpmn(approve="reviewer")), city)
    assert any(
        p.startswith("pkg/process.bpmn:9: 候选组 reviewer（任务 审批）没有映射到部门角色")
        for p in found
    ), found


def test_literal_candidate_group_must_name_a_real_department_and_role(city):
    assert problems_of(files_for(process=bpmn(approve="gz-mzj:approver")), city) == []
    found = problems_of(files_for(process=bpmn(approve="gz-zzz:approver")), city)
    assert "pkg/process.bpmn:9: 部门 gz-zzz 不存在。" in found
    found = problems_of(files_for(process=bpmn(approve="gz-mzj:chief")), city)
    assert "pkg/process.bpmn:9: 角色 chief 不存在。" in found


def test_bpmn_that_is_not_xml(city):
    found = problems_of(files_for(process="<bpmn:definitions"), city)
    assert len(found) == 1 and found[0].startswith("pkg/process.bpmn:1: "), found


@needs_engine
def test_broken_bpmn_is_reported_by_the_engine(city):
    flow = '<bpmn:sequenceFlow id="f2" sourceRef="accept" targetRef="approve"/>'
    broken = bpmn().replace(
        flow,
        flow.replace(
            "/>",
            "><bpmn:conditionExpression>decision = = 1</bpmn:conditionExpression>"
            "</bpmn:sequenceFlow>",
        ),
    )
    found = problems_of(files_for(process=broken), city)
    assert len(found) == 1 and found[0].startswith("pkg/process.bpmn:14: "), found


def test_zip_with_packages_in_folders_and_at_the_root(city):
    files = files_for()
    sources, problems = sources_from_zip(
        zip_of({"hk-macau-reendorsement": files}), label="upload.zip"
    )
    assert problems == [] and [s.label for s in sources] == ["upload.zip:hk-macau-reendorsement"]
    sources, _ = sources_from_zip(zip_of({"": files}), label="upload.zip")
    assert [package_load(s, city).problems for s in sources] == [[]]
    assert sources_from_zip(b"not a zip", label="x.zip")[1][0].message == "不是有效的 zip 压缩包。"


def test_paths_accept_a_catalog_folder_and_skip_the_vocabulary(tmp_path: Path):
    write_package(tmp_path, files_for())
    (tmp_path / "vocabulary.yaml").write_text("topics: {}\n")
    sources, problems = sources_from_paths([*sorted(tmp_path.iterdir())])
    assert problems == [] and [s.folder_name for s in sources] == ["hk-macau-reendorsement"]
    sources, problems = sources_from_paths([tmp_path])
    assert len(sources) == 1 and problems == []


@pytest.mark.django_db
def test_command_prints_file_line_message_and_exits_1(tmp_path: Path, capsys):
    from onewindow.demo.city import city_structure_seed

    city_structure_seed(seed=1)
    good = write_package(tmp_path, files_for())
    bad_files = files_for(service(code="bad", department="gz-nope"))
    bad = write_package(tmp_path, bad_files)
    call_command("service_validate", str(good))
    with pytest.raises(SystemExit) as exit_info:
        call_command("service_validate", str(good), str(bad))
    assert exit_info.value.code == 1
    out = capsys.readouterr().out
    line = line_of(bad_files, "department:")
    assert out.splitlines() == [f"{bad}/service.yaml:{line}: 部门 gz-nope 不存在。"]
