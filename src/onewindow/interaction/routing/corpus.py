"""The labelled training set for suggested routing, generated from phrase tables.

Each leaf category has several quite different ways a request in it is put
(``_scenarios_city``, ``_scenarios_people``); the generator fills their slots with real
Guangzhou places, times, amounts and people, wraps them in varied openings and closings, and
roughens some into how people really type (colloquial and Cantonese words, wrong homophones,
missing punctuation). Neighbouring categories share their vocabulary on purpose (施工, 噪音,
物业, 电梯, 停车 …), so that how well a classifier tells them apart means something.

The output depends only on the tree and the seed::

    python -m onewindow.interaction.routing.corpus --seed 12345 \\
        --tree catalog/interaction/categories.yaml --out catalog/interaction/training.jsonl
"""

from __future__ import annotations

import argparse
import functools
import json
import random
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from . import _places, _scenarios_city, _scenarios_people, _scenarios_shared
from ._scenario_types import COMPLAINT, CONSULT, HELP, PRAISE, REPORT, SUGGEST, Leaf
from .categories import CategoryTree, tree_load

DEFAULT_SEED = 12345
DEFAULT_PER_CATEGORY = 64

LEAVES: dict[str, Leaf] = {**_scenarios_city.LEAVES, **_scenarios_people.LEAVES}

# Categories people call about more often than the rest (a real hotline is far from even).
BUSY = {
    "urban.property": 2.0, "city.appearance.vendor": 1.6, "env.noise.construction": 1.8,
    "env.noise.social": 1.6, "env.noise.commercial": 1.4, "labour.wage": 2.2,
    "transport.traffic": 1.5, "market.consumer.food": 1.5, "market.consumer.prepaid": 1.3,
    "education.enrolment": 1.4, "utilities.water": 1.3, "labour.insurance": 1.4,
    "medins.reimbursement": 1.3, "transport.taxi": 1.3, "city.appearance.garbage": 1.3,
}  # fmt: skip


@dataclass(frozen=True)
class LabelledRequest:
    text: str
    kind: str  # consultation | suggestion | complaint | report | help | praise
    category: str  # a leaf code of the tree
    department: str  # the department it went to
    district: str  # GB/T 2260 code of the district it is about


_CN_DIGITS = "零一二三四五六七八九十"

OPENINGS: dict[str, tuple[str, ...]] = {
    "any": (
        "", "", "", "", "您好，", "你好，", "喂，你好，", "你好，我想反映个事情，", "打扰一下，",
        "我是{district}的居民，", "我是{estate}的住户，", "市民来电反映：", "我要反映一个问题：",
        "麻烦登记一下，", "12345你好，", "我姓{surname}，",
    ),
    CONSULT: ("请问一下，", "想咨询一下，", "问个事，", "咨询：", "你好，想了解一下，"),
    COMPLAINT: ("我要投诉！", "投诉：", "实在忍不了了，", "又来投诉了，", "第{n}次反映了，"),
    REPORT: ("实名举报：", "我要举报，", "匿名举报一下，", "举报线索："),
    HELP: ("求助！", "紧急求助，", "能不能帮帮忙，", "有个急事，"),
    SUGGEST: ("提个建议，", "我有个建议：", "作为老街坊提点意见，", "建议："),
}  # fmt: skip

CLOSINGS: dict[str, tuple[str, ...]] = {
    "any": ("", "", "", "谢谢。", "麻烦了。", "联系电话已经留了。", "我有照片和视频可以提供。"),
    CONSULT: (
        "谢谢！", "麻烦回复一下。", "急，在线等。", "网上查了半天都查不到。", "该找哪个部门？",
    ),
    COMPLAINT: (
        "希望尽快处理。", "请相关部门尽快处理！！", "已经反映过好多次了，一直没人管。",
        "请给个说法。", "再不处理我就去媒体曝光了。", "请不要又回复一句已转办就算了。",
        "附近的街坊都很有意见。",
    ),
    REPORT: ("请有关部门核实查处。", "希望对举报人信息保密。", "请尽快查处，不要走漏风声。"),
    HELP: ("麻烦帮帮忙，谢谢！", "实在没办法了才打这个电话。", "请尽快派人来！", "拜托了。"),
    SUGGEST: ("希望采纳。", "仅供参考。", "希望政府考虑一下。", "大家都是这么想的。"),
}  # fmt: skip

# Where a request in a category was actually sent, when not (only) to the tree's default: the
# hotline's operators split some categories between departments by what the request is about
# (a night-time road works site is the city management bureau's, a building site's noise the
# environment bureau's), and re-route some that the first department sends back.
ALSO_ROUTED: dict[str, tuple[tuple[str, float], ...]] = {
    "env.noise.construction": (("cgj", 0.3),),
    "env.noise.commercial": (("gaj", 0.12), ("sthjj", 0.08)),
    "env.noise.social": (("cgj", 0.1),),
    "env.air": (("cgj", 0.2),),
    "urban.construction": (("cgj", 0.12),),
    "city.building": (("ghzyj", 0.1),),
    "market.equipment": (("zjj", 0.1),),
    "utilities.drainage": (("cgj", 0.1),),
    "env.water": (("shuiwj", 0.15),),
    "city.appearance.garbage": (("sthjj", 0.05),),
    "transport.bike": (("cgj", 0.15),),
    "labour.insurance": (("swj", 0.08),),
    "health.birth": (("gaj", 0.05),),
    "gov.service": (("rsj", 0.05), ("zjj", 0.05)),
}

# What callers add that names other departments, whatever their request is about.
ASIDES = (
    "之前打过110，派出所来了说不归他们管。", "找过城管，城管说这不是他们的事。",
    "物业说要找政府部门。", "居委会也说没办法。", "街道办说已经转给相关部门了。",
    "环保部门来看过一次就没下文了。", "市场监管所说要我自己协商。", "社区网格员拍了照就走了。",
    "住建局说不归他们管。", "之前在穗好办上也提交过。", "已经在12345反映过一次了。",
    "我家老人身体不好，经不起折腾。", "我们是外地来广州打工的。", "附近还有学校和幼儿园。",
    "晚上睡不着白天还要上班。", "投诉了几次都说在处理。",
)  # fmt: skip

EMOTIONS = (
    "真的受不了了，", "太气人了，", "烦死了，", "唉，", "我都快崩溃了，", "不知道怎么办才好，",
    "说实话很失望，",
)  # fmt: skip

PRAISES = (
    "想表扬一下{district}{topic}的工作人员，上次反映的问题[很快就|两天就]解决了，[态度很好|非常负责]。",
    "给{topic}点个赞！{time}我打电话反映的事情，[第二天就有人上门处理|当天就回复了]，谢谢你们。",
    "{street}{topic}的[小王|陈姐|李师傅|那位同志]服务特别耐心，[帮我们老人家跑了好几趟|一次就讲清楚了]，希望领导表扬。",
    "感谢{topic}，之前{estate}的问题[拖了很久|一直解决不了]，这次终于处理好了，街坊们都很满意。",
)  # fmt: skip

# How people really type: words said the Cantonese or colloquial way, and the homophones an
# input method picks by mistake.
COLLOQUIAL = (
    ("什么", "咩"), ("什么", "啥"), ("没有", "冇"), ("怎么", "点样"), ("怎么", "咋"),
    ("不知道", "唔知"), ("是不是", "系唔系"), ("很", "好"), ("这样", "咁样"), ("谢谢", "唔该"),
    ("一直", "一直都"), ("非常", "超级"),
)  # fmt: skip
TYPOS = (
    ("已经", "以经"), ("反映", "反应"), ("处理", "处里"), ("在", "再"), ("的", "得"),
    ("那", "哪"), ("做", "作"), ("噪音", "燥音"), ("麻烦", "麻繁"), ("小区", "小曲"),
    ("物业", "物叶"), ("投诉", "投素"), ("工资", "工质"), ("停车", "挺车"),
)  # fmt: skip
PLATE_CHARACTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
SURNAMES = "陈李黄张梁林刘吴罗何郑谢冯邓曾彭苏卢蔡"


class _Filler:
    """Fills a template's slots for one request in one district."""

    def __init__(self, rng: random.Random, district: _places.DistrictPlaces) -> None:
        self.rng = rng
        self.district = district
        self._estate: str | None = None

    def num(self, low: int, high: int) -> str:
        value = self.rng.randint(low, high)
        if value <= 10 and self.rng.random() < 0.5:
            return _CN_DIGITS[value]
        return str(value)

    def estate(self) -> str:
        """The caller's estate: once named, the same estate again."""
        r = self.rng
        if self._estate is None:
            self._estate = r.choice(_places.ESTATE_FIRST) + r.choice(_places.ESTATE_LAST)
        return self._estate

    def road(self) -> str:
        return self.rng.choice(self.district.roads)

    def street(self) -> str:
        return self.rng.choice(self.district.streets)

    def place(self) -> str:
        r = self.rng
        return r.choice(
            (
                lambda: f"{self.street()}{self.estate()}",
                lambda: f"{self.road()}{r.randint(1, 399)}号",
                lambda: f"{self.road()}{self.estate()}附近",
                lambda: f"{self.road()}{r.choice(_places.LANDMARKS)}",
                lambda: f"{self.district.name}{self.street()}{r.choice(_places.LANDMARKS)}旁边",
                lambda: self.estate(),
            )
        )()

    def fee(self) -> str:
        r = self.rng
        return r.choice(
            (
                lambda: f"{r.randint(3, 99) * 10}元",
                lambda: f"{r.randint(1, 9)}百多块",
                lambda: f"{r.randint(1, 3)}千多",
                lambda: f"{r.randint(120, 4800)}块",
            )
        )()

    def money(self) -> str:
        r = self.rng
        return r.choice(
            (
                lambda: f"{r.randint(2, 98) * 100}元",
                lambda: f"{r.randint(1, 9)}万多",
                lambda: f"{r.randint(11, 89) / 10:.1f}万元",
                lambda: f"{r.randint(120, 990)}块",
                lambda: f"{r.choice('一两三四五六七八九')}千多块",
            )
        )()

    def time(self) -> str:
        r = self.rng
        return r.choice(
            (
                "昨天晚上", "今天上午", "前天下午", "上周五", "这两天", "今天早上八点左右",
                "昨天中午", "刚才", "上个星期天", "上个月底",
                f"{r.randint(1, 12)}月{r.randint(1, 28)}号", f"{r.randint(1, 12)}月份",
            )
        )  # fmt: skip

    def night(self) -> str:
        return self.rng.choice(
            (
                "晚上十一点多", "凌晨一两点", "半夜十二点以后", "每天晚上十点到凌晨",
                "深夜", f"晚上{self.rng.randint(10, 12)}点", "凌晨三点多",
            )
        )  # fmt: skip

    def duration(self) -> str:
        return self.rng.choice(
            (
                "一个多星期", "半个月", "两个多月", "快半年", "三天", "一年多", "十几天",
                f"{self.num(2, 11)}个月", "好几个月", "差不多一个月",
            )
        )  # fmt: skip

    def company(self) -> str:
        r = self.rng
        word, trade = r.choice(_places.COMPANY_WORDS), r.choice(_places.COMPANY_TRADES)
        return r.choice(
            (
                f"广州市{word}{trade}有限公司", f"{word}{trade}公司",
                f"{self.road()}的一家{trade}公司",
                f"{self.street()}那边一家{trade}厂",
            )
        )  # fmt: skip

    def shopname(self) -> str:
        r = self.rng
        return r.choice(
            (
                f"{self.road()}的一家{r.choice(_places.SHOP_TYPES)}",
                f"{r.choice(_places.COMPANY_WORDS)}{r.choice(_places.SHOP_TYPES)}",
                f"{self.place()}的{r.choice(_places.SHOP_TYPES)}",
            )
        )

    def slots(self) -> dict[str, Callable[[], str]]:
        r = self.rng
        return {
            "district": lambda: self.district.name,
            "street": self.street,
            "road": self.road,
            "road2": self.road,
            "estate": self.estate,
            "place": self.place,
            "time": self.time,
            "night": self.night,
            "dur": self.duration,
            "money": self.money,
            "fee": self.fee,
            "company": self.company,
            "shopname": self.shopname,
            "surname": lambda: r.choice(SURNAMES),
            "n": lambda: self.num(2, 9),
            "days": lambda: self.num(2, 30),
            "months": lambda: self.num(2, 11),
            "years": lambda: self.num(1, 15),
            "hours": lambda: self.num(2, 6),
            "mins": lambda: str(r.randint(10, 45)),
            "km": lambda: str(r.randint(3, 15)),
            "pct": lambda: str(r.randint(3, 10)),
            "age": lambda: str(r.randint(38, 93)),
            "floor": lambda: self.num(5, 9),
            "area": lambda: str(r.randint(18, 60)),
            "db": lambda: str(r.randint(58, 86)),
            "line": lambda: str(r.randint(1, 22)),
            "bus": lambda: r.choice(("B", "", "", "")) + str(r.randint(2, 599)),
            "plate": lambda: "".join(r.choice(PLATE_CHARACTERS) for _ in range(5)),
            "price": lambda: f"{r.randint(15, 30) / 10:.1f}元",
            "price2": lambda: f"{r.randint(32, 60) / 10:.1f}元",
            "month": lambda: r.choice(
                ("今年3月", "去年10月", "年初", "上半年", f"{r.randint(1, 12)}月")
            ),
            "year": lambda: str(r.randint(2024, 2026)),
            "ticket": lambda: f"GZ{r.randint(2025, 2026)}{r.randint(10**7, 10**8 - 1)}",
            "topic": lambda: "",
        }  # fmt: skip

    def fill(self, template: str, extra: dict[str, str] | None = None) -> str:
        choices = re.sub(
            r"\[([^\]]*)\]", lambda m: self.rng.choice(m.group(1).split("|")), template
        )
        slots = self.slots()
        for key, value in (extra or {}).items():
            slots[key] = functools.partial(str, value)
        return re.sub(r"\{(\w+)\}", lambda m: slots[m.group(1)](), choices)


def _roughen(rng: random.Random, text: str) -> str:
    """Some requests are typed quickly on a phone, or said the way the caller speaks."""
    if rng.random() < 0.18:
        old, new = rng.choice(COLLOQUIAL)
        text = text.replace(old, new, 1)
    if rng.random() < 0.15:
        old, new = rng.choice(TYPOS)
        text = text.replace(old, new, 1)
    roll = rng.random()
    if roll < 0.08:
        text = re.sub(r"[，。！？：、]", " ", text).strip()
    elif roll < 0.14:
        text = text.replace("，", ",").replace("？", "?").replace("！", "!")
    elif roll < 0.19:
        text = text.rstrip("。！") + rng.choice(("！！！", "。。。", "??", "！"))
    return re.sub(r" {2,}", " ", text)


def _compose(rng: random.Random, filler: _Filler, kind: str, body: str) -> str:
    opening = rng.choice(OPENINGS["any"] if rng.random() < 0.6 else OPENINGS.get(kind, ("",)))
    closing = rng.choice(CLOSINGS["any"] if rng.random() < 0.4 else CLOSINGS.get(kind, ("",)))
    if kind in (COMPLAINT, HELP) and rng.random() < 0.2:
        body = rng.choice(EMOTIONS) + body
    if rng.random() < 0.2:
        # Said in a hurry: only the first clause or two.
        clauses = body.split("，")
        body = "，".join(clauses[: rng.randint(1, 2)]) if len(clauses) > 2 else clauses[0]
    if not body.endswith(("？", "。", "！", "?", "!")):
        body += "？" if kind == CONSULT and rng.random() < 0.7 else "。"
    if rng.random() < 0.3:
        body += rng.choice(ASIDES)
    return _roughen(rng, filler.fill(opening + body + closing))


def _department(rng: random.Random, tree: CategoryTree, code: str) -> str:
    roll = rng.random()
    for department, share in ALSO_ROUTED.get(code, ()):
        if roll < share:
            return department
        roll -= share
    return tree.department_of(code)


def corpus_generate(
    tree: CategoryTree,
    *,
    seed: int = DEFAULT_SEED,
    per_category: int = DEFAULT_PER_CATEGORY,
    praise_share: float = 0.06,
    shared_share: float = 0.18,
) -> list[LabelledRequest]:
    """Labelled requests for every leaf of ``tree`` (more for the busy ones), the same for the
    same tree and seed. Raises KeyError for a leaf that has no phrase table."""
    rng = random.Random(seed)
    weights = [d.weight for d in _places.DISTRICTS]
    rows: list[LabelledRequest] = []
    seen: set[str] = set()
    for leaf in tree.leaves:
        table = LEAVES[leaf.code]
        shared = [(k, t) for k, t, codes in _scenarios_shared.SHARED if leaf.code in codes]
        wanted = round(per_category * BUSY.get(leaf.code, 1.0))
        made = attempts = 0
        while made < wanted and attempts < wanted * 20:
            attempts += 1
            district = rng.choices(_places.DISTRICTS, weights)[0]
            filler = _Filler(rng, district)
            if rng.random() < praise_share:
                kind = PRAISE
                body = filler.fill(rng.choice(PRAISES), {"topic": rng.choice(table.topics)})
                text = _roughen(rng, body)
            else:
                if shared and rng.random() < shared_share:
                    kind, template = rng.choice(shared)
                else:
                    kind, template = rng.choice(table.scenarios)
                text = _compose(rng, filler, kind, template)
            if text in seen:
                continue
            seen.add(text)
            department = _department(rng, tree, leaf.code)
            rows.append(LabelledRequest(text, kind, leaf.code, department, district.code))
            made += 1
    rng.shuffle(rows)
    return rows


def corpus_write(rows: Iterable[LabelledRequest], path: Path) -> int:
    """One JSON object a line, UTF-8; returns the number of rows written."""
    count = 0
    with Path(path).open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(asdict(row), ensure_ascii=False, separators=(",", ":")) + "\n")
            count += 1
    return count


def corpus_read(path: Path) -> list[LabelledRequest]:
    with Path(path).open(encoding="utf-8") as lines:
        return [LabelledRequest(**json.loads(line)) for line in lines if line.strip()]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, default=Path("catalog/interaction/categories.yaml"))
    parser.add_argument("--out", type=Path, default=Path("catalog/interaction/training.jsonl"))
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--per-category", type=int, default=DEFAULT_PER_CATEGORY)
    args = parser.parse_args(argv)
    rows = corpus_generate(tree_load(args.tree), seed=args.seed, per_category=args.per_category)
    print(f"{corpus_write(rows, args.out)} requests written to {args.out}")


if __name__ == "__main__":
    main()
