"""The demo city's 12345 hotline: the default category tree, the time limits, a dispatch
catalogue (each category to its municipal department, and to the district branch where the
department has one), knowledge-base answers, and the printed residents' requests in every
state of the loop — registered, dispatched, being handled, answered, concluded (one solved,
one not and re-opened), joined to another's order. Idempotent: a second run adds nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from onewindow.demo import data
from onewindow.identity.selectors import (
    department_get,
    departments_by_ids,
    person_find_by_phone,
    user_get_by_username,
)
from onewindow.interaction import selectors as hotline
from onewindow.interaction import services as loop

if TYPE_CHECKING:
    from onewindow.identity.models import User
    from onewindow.interaction.models import Request

KNOWLEDGE: tuple[tuple[str, str, str, str, str], ...] = (
    # department abbr, category, question, answer, keywords
    (
        "cgj",
        "city.appearance.vendor",
        "发现占道经营、流动摊贩应该向哪里反映？",
        "占道经营、流动摊贩由所在区城市管理和综合执法部门查处。请说明具体路段、时间段和摊档"
        "情况，最好附照片；执法队员会在答复期限内到场处置，并在夜间和节假日加强巡查。",
        "占道 摊贩 烧烤 夜市",
    ),
    (
        "cgj",
        "city.appearance.garbage",
        "小区垃圾分类投放点的开放时间是怎样规定的？",
        "居民区垃圾分类投放点一般早上7:00—9:00、晚上18:00—21:00定时开放，具体以小区公示为准。"
        "投放点未按时开放或满溢未清运，可反映给所在街道或物业服务企业。",
        "垃圾分类 定时定点 投放",
    ),
    (
        "zjj",
        "urban.property",
        "物业公司不履行维修义务，业主可以怎么办？",
        "可先向物业服务企业书面提出；仍未处理的，可向所在区住房和城乡建设部门或街道物业管理部门"
        "投诉。涉及共用部位维修的，可按规定申请使用住宅专项维修资金。",
        "物业 维修 电梯 专项维修资金",
    ),
    (
        "rsj",
        "labour.wage",
        "公司拖欠工资，应该怎样维权？",
        "可向用人单位所在地的劳动保障监察机构投诉，或向劳动人事争议仲裁委员会申请仲裁。请准备"
        "劳动合同、考勤记录、工资条或转账记录等证明材料。农民工工资拖欠可拨打12345反映。",
        "欠薪 拖欠工资 劳动仲裁 劳动监察",
    ),
    (
        "scjgj",
        "market.consumer.quality",
        "网购商品有质量问题，商家不给退换怎么办？",
        "可先与商家协商；协商不成的，可向经营者所在地的市场监督管理部门投诉，请提供订单号、"
        "付款记录、聊天记录和商品照片。七日无理由退货的商品，商家不得拒绝。",
        "退货 消费维权 网购 质量",
    ),
    (
        "gaj",
        "env.noise.social",
        "深夜有人在楼下聚集喧哗，可以找谁？",
        "夜间（22:00至次日6:00）在公共场所聚集喧哗干扰他人正常生活的，可拨打110或向辖区派出所"
        "反映，由公安机关依法处理。",
        "噪声 喧哗 扰民 夜间",
    ),
)

REQUESTS: tuple[tuple[str, str, str, str, str], ...] = (
    # resident phone, kind, category, content, the state to bring it to
    (
        "13800000001",
        "complaint",
        "city.appearance.vendor",
        "天河路体育西路口每天晚上九点后有十几个烧烤摊占道经营，油烟很大，行人只能走机动车道。",
        "answered",
    ),
    (
        "13800000001",
        "consultation",
        "urban.property",
        "我家小区电梯最近一个月坏了三次，物业说要用维修资金，想问申请流程是怎样的？",
        "concluded",
    ),
    (
        "13800000002",
        "complaint",
        "labour.wage",
        "我在越秀区一家装修公司上班，公司已经拖欠我和同事三个月工资共四万多元，老板一直推脱。",
        "signed",
    ),
    (
        "13800000003",
        "suggestion",
        "city.appearance.garbage",
        "建议小区垃圾分类投放点晚上延长到十点开放，很多上班族九点后才回家。",
        "dispatched",
    ),
    (
        "13800000004",
        "complaint",
        "market.consumer.quality",
        "在网上买的电饭煲用了两天就坏了，商家拒绝退货，说已经过了七天。",
        "reopened",
    ),
    (
        "13800000005",
        "help",
        "urban.property",
        "小区地下车库积水很深，物业一直不处理，车都开不出去了。",
        "registered",
    ),
)


@dataclass(frozen=True)
class HotlineSeeded:
    categories: int
    rules: int
    articles: int
    requests: int


def _branch_codes(abbr: str) -> list[tuple[str, str]]:
    """(district code, the branch's department code) of the department's district branches."""
    for spec in data.DEPARTMENTS:
        if spec.abbr == abbr:
            return [
                (data.DISTRICT_BY_ABBR[d].code, f"gz-{abbr}-{d}") for d in spec.branch_districts
            ]
    return []


def _catalogue() -> int:
    """Every leaf to its municipal department, and in a district where the department has a
    branch, to the branch (only rules not written yet: operators' edits stay)."""
    written = 0
    for code, line in hotline.category_leaf_lines():
        department = department_get(code=f"gz-{line}")
        if department is None:
            continue
        if not hotline.dispatch_rule_exists(category_code=code):
            loop.dispatch_rule_save(
                user=None,
                category_code=code,
                department_code=department.code,
                basis=f"{department.name}职责（三定方案、权责清单）",
            )
            written += 1
        for district, branch in _branch_codes(line):
            if department_get(code=branch) and not hotline.dispatch_rule_exists(
                category_code=code, region_code=district
            ):
                loop.dispatch_rule_save(
                    user=None,
                    category_code=code,
                    department_code=branch,
                    region_code=district,
                    basis="属地管理：区级分局（部门）承办",
                )
                written += 1
    return written


def _knowledge() -> int:
    written = 0
    for abbr, category, title, answer, keywords in KNOWLEDGE:
        hits = hotline.articles_search(text=title, limit=1, include_unpublished=True)
        if hits and hits[0].title == title:
            continue
        user = user_get_by_username(username=f"{abbr}_hotline")
        department = department_get(code=f"gz-{abbr}")
        if user is None or department is None:
            continue
        loop.article_save(
            user=user,
            department_id=department.pk,
            title=title,
            answer=answer,
            category_code=category,
            keywords=keywords,
        )
        written += 1
    return written


def _requests() -> int:
    dispatcher = user_get_by_username(username="zsj_dispatcher")
    if dispatcher is None:
        return 0
    filed = 0
    orders = {}
    for phone, kind, category, content, state in REQUESTS:
        person = person_find_by_phone(phone=phone)
        if person is None or person.user is None:
            continue
        if hotline.requests_of_user(user=person.user).filter(content=content).exists():
            continue
        district = next(d for p, _n, d in data.DEMO_RESIDENTS if p == phone)
        request = loop.request_file(
            user=person.user,
            channel="web",
            filing=loop.Filing(
                kind=kind,
                content=content,
                category_code=category,
                location=loop.Location(region_code=district),
                client_key=f"demo-hotline:{phone}:{category}",
            ),
        )
        filed += 1
        orders[category] = request
        _advance(request, state, dispatcher=dispatcher)
    # a neighbour reports the same stalls: joined to the first order (重复诉求并单)
    first = orders.get("city.appearance.vendor")
    neighbour = person_find_by_phone(phone="13800000003")
    if first is not None and neighbour is not None and neighbour.user is not None:
        loop.request_file(
            user=neighbour.user,
            channel="web",
            filing=loop.Filing(
                kind="complaint",
                content="体育西路口晚上烧烤摊占道，油烟呛得开不了窗。",
                category_code="city.appearance.vendor",
                location=loop.Location(region_code="440106"),
                client_key="demo-hotline:join",
            ),
            join_number=first.number,
        )
        filed += 1
    return filed


def _handler(department_id: int) -> User | None:
    """The demo order handler of a department (``gz-cgj-th`` → ``cgj_th_hotline``)."""
    found = departments_by_ids(ids=[department_id])
    if not found or not found[0].code.startswith("gz-"):
        return None
    return user_get_by_username(username=found[0].code[3:].replace("-", "_") + "_hotline")


def _municipal(department_id: int) -> tuple[int, User | None]:
    found = departments_by_ids(ids=[department_id])
    parts = found[0].code.split("-") if found else []
    if len(parts) < 2:
        return department_id, None
    municipal = department_get(code=f"gz-{parts[1]}")
    if municipal is None:
        return department_id, None
    return municipal.pk, _handler(municipal.pk)


def _advance(request: Request, state: str, *, dispatcher: User) -> None:
    if state == "registered":
        return
    request_id = request.pk
    suggestion = loop.dispatch_suggest(
        category_id=request.category_id, region_code=request.region_code
    )
    if suggestion is None:
        return
    department_id = suggestion.department_id
    handler = _handler(department_id)
    if handler is None:
        # the demo seeds order handlers in the municipal departments and the hotline's own
        # branches only: send the others' orders to the municipal department
        department_id, handler = _municipal(department_id)
    loop.request_dispatch(user=dispatcher, request_id=request_id, department_id=department_id)
    if state == "dispatched" or handler is None:
        return
    loop.request_sign(user=handler, request_id=request_id)
    if state == "signed":
        return
    loop.request_answer(
        user=handler,
        request_id=request_id,
        answer="经核查，已安排专人处理，并将加强日常巡查。如仍有问题，请再次联系12345。",
    )
    if state == "answered":
        return
    solved = state == "concluded"
    loop.request_visit(
        user=dispatcher,
        request_id=request_id,
        solved=solved,
        satisfaction="satisfied" if solved else "dissatisfied",
    )
    if solved:
        loop.request_conclude(user=dispatcher, request_id=request_id)
    else:
        loop.request_reopen(
            user=dispatcher, request_id=request_id, reason="回访时市民表示问题未解决"
        )


def demo_hotline_seed() -> HotlineSeeded:
    tree = loop.category_tree_import()
    loop.time_limits_ensure()
    return HotlineSeeded(
        categories=tree.added,
        rules=_catalogue(),
        articles=_knowledge(),
        requests=_requests(),
    )
