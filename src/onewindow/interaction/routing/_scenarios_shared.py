"""Requests that could be in any of several neighbouring categories as put: the operator who
took the call knew which from what the caller said next. Each is (kind, template, the leaf
categories it was filed under); the generator files it under the category it is making rows
for, so the same words carry different labels, as they do on a real hotline."""

from __future__ import annotations

from ._scenario_types import COMPLAINT, CONSULT, HELP, REPORT

NOISE = (
    "env.noise.construction",
    "env.noise.industrial",
    "env.noise.commercial",
    "env.noise.social",
)

# fmt: off
SHARED: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (COMPLAINT, "{estate}这边{night}[很吵|吵得要命|噪音特别大]，[根本睡不着|孩子被吵醒好几次]", NOISE),
    (COMPLAINT, "[噪音扰民|噪声扰民]，{place}，[每天晚上|天天]都这样，{dur}了", NOISE),
    (COMPLAINT, "{road}那边[整天轰隆隆的|一直有很大的声音]，[不知道是工地还是工厂|也不知道是哪家]", NOISE[:3]),
    (COMPLAINT, "{estate}的电梯[又坏了|停了{days}天]，[住{floor}楼的老人下不来|上下楼太辛苦]", ("urban.property", "market.equipment", "urban.oldestate")),
    (COMPLAINT, "{estate}门口[乱停车|乱摆卖|堆满东西]，[出入很不方便|消防车都进不来]", ("transport.traffic", "city.appearance.vendor", "urban.property")),
    (COMPLAINT, "{road}的[施工|工地]太扰民了，[灰尘|噪音]很大，{dur}了", ("env.noise.construction", "urban.construction", "env.air")),
    (REPORT, "{road}附近[有污水|有黑水]流到河涌里，[味道很臭|颜色很怪]", ("env.water", "utilities.drainage")),
    (COMPLAINT, "{place}[臭气熏天|气味很难闻]，[夏天更严重|晚上特别明显]", ("env.air", "city.appearance.garbage", "utilities.drainage", "env.water")),
    (CONSULT, "[社保|社保费]交了{years}年，[断了几个月|想补缴]，要去哪里办", ("labour.insurance", "medins.enrolment", "tax.service")),
    (CONSULT, "[补贴|津贴]怎么申请？我是{district}的，[条件是什么|要带什么材料]", ("labour.employment", "urban.housing", "civil.assistance", "civil.elderly")),
    (COMPLAINT, "去办[证|手续]，窗口[让我来回跑|说材料不齐]，{n}次都没办成", ("gov.service", "police.hukou", "police.residence", "police.exit_entry", "resources.registration")),
    (HELP, "{road}[路面塌了|有个大坑|积了很多水]，车过不去，请派人看看", ("city.facilities", "utilities.drainage", "utilities.water")),
    (COMPLAINT, "{place}的[店|商家]卖的东西有问题，[退货不给退|跟宣传的不一样]", ("market.consumer.quality", "market.consumer.food", "market.consumer.price")),
    (COMPLAINT, "交了{fee}钱，[商家不给退|东西也没给]，[老板说没办法|一直拖着]", ("market.consumer.prepaid", "market.consumer.quality", "education.training")),
    (COMPLAINT, "{company}[欠我钱|不给钱]，[做了{months}个月|辞职了]还没结清", ("labour.wage", "labour.relations")),
    (COMPLAINT, "[公司|老板]不给[买社保|签合同]，[受伤了也不管|说是临时工]", ("labour.relations", "labour.insurance", "labour.injury")),
    (REPORT, "{road}有人[乱搭乱建|在搞违建]，[挖了很大一片|围起来了]", ("city.building", "resources.land")),
    (CONSULT, "小孩[上学|读书]的事情想问一下，[户口不在这里|我们是租房的]，要怎么办", ("education.enrolment", "police.residence", "police.hukou")),
    (COMPLAINT, "[医院|药店]收费太贵了，[医保也报不了|很多都是自费]", ("health.medical", "medins.reimbursement", "market.drug")),
    (REPORT, "{road}有家店[好像有问题|很可疑]，[晚上很多人进出|门口总有人拉客]", ("police.order", "health.public", "market.registration")),
    (COMPLAINT, "{estate}[停水|没水]了又[水浸|下水道堵]，[物业推给自来水公司|没人来处理]", ("utilities.water", "utilities.drainage", "urban.property")),
    (COMPLAINT, "{road}的[大树|广告牌|路灯杆]歪了，[台风天怕倒下来|很危险]", ("city.greenery", "city.appearance.signage", "city.facilities")),
    (COMPLAINT, "{place}[垃圾|杂物|建筑垃圾]堆了{dur}，[没人清|蚊子很多]", ("city.appearance.garbage", "urban.property", "env.waste")),
    (CONSULT, "[房子|房产]的事想问一下，[证还没办下来|过户不知道怎么弄]", ("resources.registration", "urban.realestate", "tax.service")),
    (COMPLAINT, "[打电话|打了12345][反映了很多次|一直说已转办]，问题还是没解决", ("gov.hotline", "urban.property", "env.noise.construction", "city.appearance.vendor")),
    (HELP, "[老人|家里人][走失了|被骗了钱]，不知道找谁，请帮帮忙", ("police.fraud", "police.order", "civil.elderly")),
    (CONSULT, "[开公司|开店]要办哪些手续？[税务|执照]要怎么弄", ("market.registration", "tax.service")),
    (COMPLAINT, "坐车的时候[司机态度很差|被多收了钱]，[车牌号没记下|在{road}上的车]", ("transport.taxi", "transport.bus")),
)
# fmt: on
