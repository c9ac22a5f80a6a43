"""The demo library's catalogue and readers: what the fake library answers and what the
local SIP2 server (``sip2server.py``) serves. Due dates are offsets from the day asked, so
the demo never shows a loan due in a year long past."""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass

INSTITUTION = "GZLIB"  # SIP2 AO: the institution id
LIBRARY_NAME = "广州图书馆（演示）"
PICKUP_LOCATION = "广州图书馆总馆一楼预约取书处"
LOAN_DAYS = 30  # a renewal gives this many days from today
MAX_RENEWALS = 2


@dataclass(frozen=True)
class Book:
    item_id: str  # the barcode (SIP2 AB)
    title: str
    author: str
    location: str = "总馆"


BOOKS: tuple[Book, ...] = (
    Book("3100128345", "活着", "余华", "总馆 文学借阅区 I247.57/37"),
    Book("3100128346", "平凡的世界（第一部）", "路遥", "总馆 文学借阅区 I247.5/112"),
    Book("3100128347", "三体", "刘慈欣", "总馆 文学借阅区 I247.55/21"),
    Book("3100128348", "围城", "钱锺书", "总馆 文学借阅区 I246.5/8"),
    Book("3100128349", "额尔古纳河右岸", "迟子建", "总馆 文学借阅区 I247.5/540"),
    Book("3100128350", "乡土中国", "费孝通", "总馆 社科借阅区 C912.82/3"),
    Book("3100128351", "人类简史：从动物到上帝", "尤瓦尔·赫拉利", "总馆 社科借阅区 K02/14"),
    Book("3100128352", "红楼梦（上下）", "曹雪芹", "总馆 古籍阅览室 I242.4/1"),
    Book("3100128353", "岭南文化十大名片", "广东省文化厅 编", "总馆 广州人文馆 G127.65/2"),
    Book("3100128354", "广州传", "叶曙明", "总馆 广州人文馆 K296.51/9"),
    Book("3100128355", "繁花", "金宇澄", "天河区图书馆 I247.5/601"),
    Book(
        "3100128356", "Python 编程：从入门到实践", "埃里克·马瑟斯", "总馆 科技借阅区 TP311.56/120"
    ),
)
BOOKS_BY_ID = {book.item_id: book for book in BOOKS}


@dataclass(frozen=True)
class Reader:
    patron_id: str
    password: str
    name: str
    loans: tuple[tuple[str, int], ...] = ()  # (item id, due in so many days; <0 overdue)
    holds: tuple[str, ...] = ()
    blocked: bool = False  # card reported lost / privileges denied


READERS: tuple[Reader, ...] = (
    Reader("0440100012345", "123456", "陈小红", (("3100128345", 2), ("3100128350", 12))),
    Reader("0440100023456", "654321", "王建国", (("3100128347", 5),), holds=("3100128352",)),
    Reader("0440100034567", "111111", "李秀英", blocked=True),
    Reader("0440100045678", "888888", "张伟", (("3100128354", -3), ("3100128355", 20))),
)
READERS_BY_ID = {reader.patron_id: reader for reader in READERS}

# Someone else has this on hold: a reader who has it cannot renew it.
HELD_BY_OTHERS = frozenset({"3100128350"})


def opened_patron_id(id_number: str) -> str:
    """The card number the library gives a resident who opens a card online: stable for the
    same citizen ID, never one of the demo readers'."""
    digest = hashlib.sha256(f"gzlib-open:{id_number}".encode()).hexdigest()
    return "0440199" + str(int(digest[:12], 16))[-6:].zfill(6)


def opened_password(patron_id: str) -> str:
    digest = hashlib.sha256(f"gzlib-pin:{patron_id}".encode()).hexdigest()
    return str(int(digest[:10], 16))[-6:].zfill(6)


def is_opened(patron_id: str) -> bool:
    return patron_id.startswith("0440199") and len(patron_id) == 13


def opened_loans(patron_id: str) -> tuple[tuple[str, int], ...]:
    """A card opened online has borrowed two books since (derived from its number)."""
    seed = int(hashlib.sha256(patron_id.encode()).hexdigest()[:8], 16)
    first = BOOKS[seed % len(BOOKS)]
    second = BOOKS[(seed // 7 + 3) % len(BOOKS)]
    if second == first:
        second = BOOKS[(BOOKS.index(first) + 1) % len(BOOKS)]
    return ((first.item_id, 3), (second.item_id, 18))


def due(today: datetime.date, days: int) -> datetime.date:
    return today + datetime.timedelta(days=days)
