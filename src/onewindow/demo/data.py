"""Static data for the demo city: Guangzhou's districts (GB/T 2260), its departments, roles,
and the name lists the seed draws fictional people and companies from.

District codes and department names are real; every person, phone number and company the
seed makes from these lists is fictional.
"""

from __future__ import annotations

from dataclasses import dataclass

CITY_CODE = "440100"
CITY_NAME = "广州市"


@dataclass(frozen=True)
class District:
    code: str
    name: str
    abbr: str  # used in department codes and usernames
    name_en: str
    weight: int  # share of the demo population (roughly the real proportions)
    since: int  # first year stdnum's GB/T 2260 history knows the code
    # Codes valid before ``since``: (first year, code), newest first. Citizen IDs of people
    # born earlier carry the code that existed then.
    earlier: tuple[tuple[int, str], ...] = ()


DISTRICTS: tuple[District, ...] = (
    District("440103", "荔湾区", "lw", "Liwan District", 7, 1983),
    District("440104", "越秀区", "yx", "Yuexiu District", 6, 1983),
    District("440105", "海珠区", "hz", "Haizhu District", 10, 1983),
    District("440106", "天河区", "th", "Tianhe District", 12, 1985),
    District("440111", "白云区", "by", "Baiyun District", 20, 1987),
    District("440112", "黄埔区", "hp", "Huangpu District", 6, 1983),
    District(
        "440113", "番禺区", "py", "Panyu District", 15, 2000, ((1992, "440181"), (0, "440126"))
    ),
    District(
        "440114", "花都区", "hd", "Huadu District", 9, 2000, ((1993, "440182"), (0, "440121"))
    ),
    District(
        "440115",
        "南沙区",
        "ns",
        "Nansha District",
        5,
        2005,
        ((2000, "440113"), (1992, "440181"), (0, "440126")),
    ),  # split from Panyu
    District(
        "440117", "从化区", "ch", "Conghua District", 3, 2014, ((1994, "440184"), (0, "440122"))
    ),
    District(
        "440118", "增城区", "zc", "Zengcheng District", 7, 2014, ((1993, "440183"), (0, "440125"))
    ),
)
DISTRICT_BY_CODE = {d.code: d for d in DISTRICTS}
DISTRICT_BY_ABBR = {d.abbr: d for d in DISTRICTS}

# Residents born elsewhere keep their birthplace's code in the ID (codes valid in every year).
MIGRANT_CODES: tuple[str, ...] = (
    "430100",  # 长沙市
    "360100",  # 南昌市
    "450100",  # 南宁市
    "440300",  # 深圳市
    "440600",  # 佛山市
)
MIGRANT_SHARE = 0.2


def id_region_for(district: District, birth_year: int) -> str:
    """The region code a citizen ID of someone registered in ``district`` carries when born
    in ``birth_year`` (the code that existed then; the city code for old urban districts)."""
    if birth_year >= district.since:
        return district.code
    for first_year, code in district.earlier:
        if birth_year >= first_year:
            return code
    return CITY_CODE


@dataclass(frozen=True)
class DepartmentSpec:
    abbr: str
    name: str
    name_en: str
    branch_suffix: str  # district branch: "{district}{suffix}"
    branch_districts: tuple[str, ...]  # district abbreviations


# Municipal departments (市直部门), each with district branches for a few districts.
DEPARTMENTS: tuple[DepartmentSpec, ...] = (
    DepartmentSpec(
        "gaj",
        "广州市公安局",
        "Guangzhou Public Security Bureau",
        "公安分局",
        ("th", "yx", "hz", "by"),
    ),
    DepartmentSpec(
        "mzj", "广州市民政局", "Guangzhou Civil Affairs Bureau", "民政局", ("th", "yx", "py")
    ),
    DepartmentSpec(
        "wjw", "广州市卫生健康委员会", "Guangzhou Health Commission", "卫生健康局", ("th", "hz")
    ),
    DepartmentSpec(
        "jyj", "广州市教育局", "Guangzhou Education Bureau", "教育局", ("th", "yx", "by")
    ),
    DepartmentSpec(
        "rsj",
        "广州市人力资源和社会保障局",
        "Guangzhou Human Resources and Social Security Bureau",
        "人力资源和社会保障局",
        ("th", "hz", "py"),
    ),
    DepartmentSpec(
        "zjj",
        "广州市住房和城乡建设局",
        "Guangzhou Housing and Urban-Rural Development Bureau",
        "住房和城乡建设局",
        ("th", "by"),
    ),
    DepartmentSpec(
        "scjgj",
        "广州市市场监督管理局",
        "Guangzhou Market Regulation Administration",
        "市场监督管理局",
        ("th", "yx", "hp", "ns"),
    ),
    DepartmentSpec(
        "swj",
        "国家税务总局广州市税务局",
        "Guangzhou Municipal Tax Service",
        "税务局",
        ("th", "yx", "py"),
    ),
    DepartmentSpec(
        "sthjj",
        "广州市生态环境局",
        "Guangzhou Ecology and Environment Bureau",
        "生态环境分局",
        ("hp", "ns"),
    ),
    DepartmentSpec(
        "jtj", "广州市交通运输局", "Guangzhou Transport Bureau", "交通运输局", ("th", "by")
    ),
    DepartmentSpec(
        "ghzyj",
        "广州市规划和自然资源局",
        "Guangzhou Planning and Natural Resources Bureau",
        "规划和自然资源分局",
        ("th", "py"),
    ),
    DepartmentSpec(
        "ybj",
        "广州市医疗保障局",
        "Guangzhou Healthcare Security Administration",
        "医疗保障局",
        ("th", "hz"),
    ),
    DepartmentSpec("sfj", "广州市司法局", "Guangzhou Justice Bureau", "司法局", ("yx",)),
    DepartmentSpec(
        "zsj",
        "广州市政务服务数据管理局",
        "Guangzhou Government Service and Data Management Bureau",
        "政务服务数据管理局",
        ("th", "yx", "hz", "by", "py"),
    ),
    # Departments added with the 12345 hotline (their staff are seeded after everyone else's,
    # so the names drawn for the earlier accounts stay what they were: ``LATER_DEPARTMENTS``).
    DepartmentSpec(
        "cgj",
        "广州市城市管理和综合执法局",
        "Guangzhou Urban Management and Comprehensive Law Enforcement Bureau",
        "城市管理和综合执法局",
        ("th", "yx", "hz", "py"),
    ),
    DepartmentSpec(
        "shuiwj", "广州市水务局", "Guangzhou Water Affairs Bureau", "水务局", ("th", "hz")
    ),
)
LATER_DEPARTMENTS = frozenset({"cgj", "shuiwj"})
PLATFORM_DEPARTMENT = "zsj"  # the e-government centre that runs the platform

# Street offices (街道办事处) with community grids, under their district government.
STREETS: tuple[tuple[str, str, str, int], ...] = (
    # district abbr, street abbr, name, number of grids
    ("th", "shipai", "石牌街道", 4),
    ("th", "linhe", "林和街道", 3),
    ("yx", "beijing", "北京街道", 3),
    ("hz", "binjiang", "滨江街道", 3),
    ("py", "shiqiao", "桥南街道", 2),
)


@dataclass(frozen=True)
class RoleSpec:
    code: str
    name: str
    name_en: str
    permissions: tuple[str, ...]  # "app_label.codename"
    grid_scoped: bool = False


ROLES: tuple[RoleSpec, ...] = (
    RoleSpec(
        "window_clerk",
        "窗口受理人员",
        "Window clerk",
        # re-ship or hold returned mail of their department (/delivery/staff/returns/)
        (
            "identity.view_person",
            "identity.view_company",
            "identity.view_pii",
            "identity.verify_in_person",  # 当面核验 on a person's page (level 3)
            "identity.add_person",  # 自然人登记 at the window
            "delivery.manage_returns",
        ),
    ),
    RoleSpec(
        "approver",
        "审批人员",
        "Approver",
        # revoke the licences their department issued (/licences/staff/)
        ("identity.view_person", "identity.view_company", "licences.revoke_licence"),
    ),
    RoleSpec(
        "dept_admin",
        "部门管理员",
        "Department administrator",
        (
            "identity.view_department",
            "identity.view_staff",
            "identity.add_staff",
            "identity.change_staff",
            "identity.view_staffrole",
            "identity.add_staffrole",
            "identity.delete_staffrole",
        ),
    ),
    RoleSpec(
        "dept_head",
        "部门负责人",
        "Department head",
        # 督办总览 and 停滞办件 (/workbench/supervision/, /workbench/stuck/) of their department
        # and those below: escalations, and the cases whose process cannot continue
        ("cases.supervise_cases",),
    ),
    RoleSpec(
        "grid_worker",
        "社区网格员",
        "Community grid worker",
        ("identity.view_person",),
        grid_scoped=True,
    ),
    RoleSpec(
        "platform_operator",
        "平台运维",
        "Platform operator",
        (
            "identity.operate_platform",
            "identity.view_pii",
            "identity.view_department",
            "identity.view_staff",
            "identity.view_role",
            "notify.view_smsmessage",
            "payments.reconcile_payments",
        ),
    ),
    RoleSpec(
        "auditor",
        "审计员",
        "Auditor",
        ("audit.view_auditevent", "identity.view_staff", "identity.view_department"),
    ),
    # The 12345 hotline: the hotline office (at zsj) dispatches, decides objections and
    # extensions, visits back, merges, concludes and supervises; departments handle their
    # orders (interaction.services.loop) and keep their knowledge-base answers; the office
    # also takes calls at the operator console (/hotline/console/). The office reviews appeals
    # against ratings (好差评); each department's handlers answer its bad ratings' rectification.
    RoleSpec(
        "hotline_dispatcher",
        "热线派单员",
        "Hotline dispatcher",
        (
            "interaction.dispatch_requests",
            "interaction.supervise_requests",
            "interaction.add_request",
            "interaction.change_knowledgearticle",
            "ratings.review_rating_appeals",
        ),
    ),
    RoleSpec(
        "hotline_handler",
        "工单办理人员",
        "Hotline order handler",
        (
            "interaction.handle_requests",
            "interaction.change_knowledgearticle",
            "ratings.rectify_ratings",
        ),
    ),
)

# --- people -----------------------------------------------------------------------------------
# Common surnames with rough relative frequencies (Guangdong leans Chen, Li, Huang, Liang).
SURNAMES: tuple[tuple[str, int], ...] = (
    ("陈", 90),
    ("李", 70),
    ("黄", 65),
    ("张", 50),
    ("梁", 45),
    ("林", 40),
    ("刘", 40),
    ("王", 40),
    ("吴", 30),
    ("何", 28),
    ("罗", 25),
    ("郑", 25),
    ("杨", 25),
    ("周", 22),
    ("谢", 20),
    ("叶", 20),
    ("邓", 20),
    ("冯", 18),
    ("曾", 18),
    ("朱", 16),
    ("潘", 15),
    ("赵", 15),
    ("蔡", 14),
    ("钟", 14),
    ("许", 13),
    ("郭", 13),
    ("卢", 12),
    ("彭", 12),
    ("苏", 11),
    ("徐", 11),
    ("胡", 11),
    ("孙", 10),
    ("马", 10),
    ("余", 10),
    ("方", 9),
    ("关", 9),
    ("高", 9),
    ("麦", 8),
    ("谭", 8),
    ("邱", 8),
    ("欧阳", 4),
    ("司徒", 3),
)
GIVEN_MALE = (
    "伟",
    "强",
    "磊",
    "军",
    "勇",
    "杰",
    "涛",
    "斌",
    "超",
    "明",
    "刚",
    "平",
    "辉",
    "鹏",
    "华",
    "飞",
    "鑫",
    "波",
    "宇",
    "浩",
    "凯",
    "健",
    "俊",
    "帆",
    "帅",
    "旭",
    "宁",
    "龙",
    "林",
    "峰",
    "建国",
    "志强",
    "俊杰",
    "子轩",
    "浩然",
    "宇航",
    "家豪",
    "志明",
    "文博",
    "嘉俊",
    "锦荣",
    "伟雄",
    "国华",
    "永健",
    "振宇",
    "泽楷",
    "梓豪",
    "晓东",
    "德明",
    "卓然",
)
GIVEN_FEMALE = (
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "艳",
    "娟",
    "霞",
    "燕",
    "玲",
    "婷",
    "雪",
    "慧",
    "颖",
    "琳",
    "倩",
    "洁",
    "莉",
    "萍",
    "红",
    "欣",
    "怡",
    "佳",
    "悦",
    "晴",
    "妍",
    "瑶",
    "蕾",
    "薇",
    "茜",
    "秀英",
    "桂芳",
    "丽华",
    "晓红",
    "嘉欣",
    "梓晴",
    "诗琪",
    "雨桐",
    "欣怡",
    "美玲",
    "婉婷",
    "咏诗",
    "淑仪",
    "凤仪",
    "思彤",
    "紫萱",
    "雅婷",
    "晓琳",
    "慧敏",
    "月华",
)

# Fictional phone numbers: 13x/15x/18x prefixes. 138 0000 xxxx is kept for demo accounts.
PHONE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "134",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "180",
    "181",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
)

# --- companies --------------------------------------------------------------------------------
BRAND_CHARS = (
    "穗",
    "羊",
    "城",
    "珠",
    "江",
    "粤",
    "华",
    "南",
    "越",
    "秀",
    "天",
    "河",
    "海",
    "云",
    "白",
    "鸿",
    "达",
    "金",
    "泰",
    "丰",
    "盛",
    "信",
    "和",
    "恒",
    "顺",
    "兴",
    "隆",
    "嘉",
    "宏",
    "利",
    "安",
    "康",
    "创",
    "新",
    "科",
    "智",
    "瑞",
    "祥",
    "明",
    "德",
    "诚",
    "远",
    "晟",
    "骏",
    "禾",
    "森",
    "源",
    "汇",
    "联",
    "通",
    "凯",
    "辰",
    "星",
    "宇",
    "博",
    "思",
    "睿",
    "卓",
    "锦",
    "荣",
)
INDUSTRIES: tuple[tuple[str, str], ...] = (
    # (name part, industry for the org-type) — all ordinary limited companies
    ("科技", "I"),
    ("信息技术", "I"),
    ("软件", "I"),
    ("电子商务", "F"),
    ("贸易", "F"),
    ("餐饮管理", "H"),
    ("物流", "G"),
    ("建筑工程", "E"),
    ("装饰工程", "E"),
    ("文化传媒", "R"),
    ("教育咨询", "P"),
    ("医药", "F"),
    ("物业管理", "K"),
    ("房地产开发", "K"),
    ("服装", "C"),
    ("电子", "C"),
    ("食品", "C"),
    ("广告", "L"),
    ("人力资源", "L"),
    ("汽车服务", "O"),
)
COMPANY_FORMS = ("有限公司", "有限责任公司", "股份有限公司")
ROADS = (
    "天河路",
    "中山大道",
    "体育西路",
    "花城大道",
    "珠江东路",
    "环市东路",
    "东风中路",
    "解放北路",
    "江南大道",
    "新港东路",
    "工业大道",
    "白云大道",
    "广园中路",
    "市桥街",
    "迎宾路",
    "黄埔东路",
    "科学大道",
    "凤凰大道",
    "新世纪大道",
    "增城大道",
)

# --- demo login accounts ----------------------------------------------------------------------
# Residents who log in by SMS code (the code shows on the SMS outbox page in demo mode).
DEMO_RESIDENTS: tuple[tuple[str, str, str], ...] = (
    # phone, name, district code
    ("13800000001", "陈嘉欣", "440106"),
    ("13800000002", "李志明", "440104"),
    ("13800000003", "黄淑仪", "440105"),
    ("13800000004", "梁国华", "440112"),
    ("13800000005", "林晓琳", "440111"),
)
# The printed residents' companies: organisation code body (8 characters, GB 11714; its check
# character is computed), name, district, address, the legal representative's phone and the
# phone of the agent they have authorised ("" for none: a walk-through authorises one).
DEMO_COMPANIES: tuple[tuple[str, str, str, str, str, str], ...] = (
    (
        "MA5DJX01",
        "广州嘉欣商贸有限公司",
        "440106",
        "广州市天河区天河路385号1201室",
        "13800000001",
        "13800000002",
    ),
    (
        "MA5DGH02",
        "广州国华信息科技有限公司",
        "440112",
        "广州市黄埔区科学大道18号A栋501室",
        "13800000004",
        "",
    ),
)
# Staff accounts printed in the banner: one per key department, plus the operator.
KEY_DEPARTMENTS = ("gaj", "mzj", "rsj", "scjgj", "wjw", "zjj")
DEMO_STAFF_PASSWORD = "OneWindow-Demo-2025"  # noqa: S105 — public demo credential
OPERATOR_USERNAME = "platform_ops"
AUDITOR_USERNAME = "zsj_auditor"
HOTLINE_DISPATCHER_USERNAME = "zsj_dispatcher"
