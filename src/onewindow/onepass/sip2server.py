"""A small SIP2 server with the demo library's catalogue (``catalogue.py``): what the tests
and the demo talk to instead of a real library. It answers 93 login, 99 SC status,
63 patron information, 17 item information, 29 renew, 15 hold and 97 resend, keeps its
loans and holds in memory, and can be told to misbehave — answer late, damage a checksum,
send garbage — so the client's defences are tried on a real socket.

    python -m onewindow.onepass.sip2server --port 6001
"""

from __future__ import annotations

import argparse
import datetime
import socketserver
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from onewindow.onepass import catalogue
from onewindow.onepass.providers.sip2 import (
    Message,
    Sip2FormatError,
    checksum_ok,
    fields_text,
    parse,
    seal,
    sip_datetime,
)

LOGIN_USER = "onewindow"
LOGIN_PASSWORD = "sip-demo"  # noqa: S105 (the local server's own, not a secret)


@dataclass
class LoanRow:
    item_id: str
    due_on: datetime.date
    renewals: int = 0


@dataclass
class LibraryState:
    """Loans and holds by patron id, seeded from the catalogue's readers."""

    today: datetime.date = field(default_factory=datetime.date.today)
    loans: dict[str, list[LoanRow]] = field(default_factory=dict)
    holds: dict[str, list[str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        for reader in catalogue.READERS:
            self.loans[reader.patron_id] = [
                LoanRow(item_id, catalogue.due(self.today, days)) for item_id, days in reader.loans
            ]
            self.holds[reader.patron_id] = list(reader.holds)

    def reader(self, patron_id: str, password: str) -> tuple[catalogue.Reader | None, bool]:
        reader = catalogue.READERS_BY_ID.get(patron_id)
        if reader is not None:
            return reader, password == reader.password
        if catalogue.is_opened(patron_id):
            self.loans.setdefault(
                patron_id,
                [
                    LoanRow(item_id, catalogue.due(self.today, days))
                    for item_id, days in catalogue.opened_loans(patron_id)
                ],
            )
            self.holds.setdefault(patron_id, [])
            return (
                catalogue.Reader(patron_id, catalogue.opened_password(patron_id), ""),
                password == catalogue.opened_password(patron_id),
            )
        return None, False

    def holder_of(self, item_id: str) -> LoanRow | None:
        for rows in self.loans.values():
            for row in rows:
                if row.item_id == item_id:
                    return row
        return None

    def queue(self, item_id: str) -> int:
        queued = sum(1 for items in self.holds.values() if item_id in items)
        return queued + (1 if item_id in catalogue.HELD_BY_OTHERS else 0)


@dataclass
class Misbehaviour:
    """What the next answers do wrong; each counter is used up one answer at a time."""

    delay: float = 0.0  # seconds before every answer
    bad_checksum: int = 0  # answers sent with a damaged checksum
    garbage: int = 0  # answers replaced by bytes that are no SIP2 message
    hang_up: int = 0  # connections closed instead of answering
    offline: bool = False  # 98 says the ACS is off line
    wrong_sequence: int = 0  # answers carrying another request's sequence number


class Sip2Handler(socketserver.BaseRequestHandler):
    server: Sip2Server

    def handle(self) -> None:
        last = ""
        buffer = b""
        while True:
            chunk = self.request.recv(4096)
            if not chunk:
                return
            buffer += chunk.replace(b"\n", b"")  # SIP2 ends a message with CR; some add LF
            while b"\r" in buffer:
                line, _sep, buffer = buffer.partition(b"\r")
                if not line:
                    continue
                text = line.decode(self.server.encoding, errors="replace")
                if text.startswith("97"):
                    answer = last
                elif not checksum_ok(text):
                    answer = "96"  # ask the client to resend
                else:
                    answer = self.server.answer(text)
                    last = answer
                if not self.send(answer):
                    return

    def send(self, answer: str) -> bool:
        wrong = self.server.misbehaviour
        if wrong.delay:
            time.sleep(wrong.delay)
        with self.server.state.lock:
            if wrong.hang_up:
                wrong.hang_up -= 1
                return False
            if wrong.garbage:
                wrong.garbage -= 1
                self.request.sendall(b"\x00\xffHTTP/1.1 400 Bad Request\r")
                return True
            if wrong.bad_checksum and answer[-6:-4] == "AZ":
                wrong.bad_checksum -= 1
                answer = answer[:-4] + ("0000" if answer[-4:] != "0000" else "FFFF")
        self.request.sendall((answer + "\r").encode(self.server.encoding))
        return True


class Sip2Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self, address: tuple[str, int] = ("127.0.0.1", 0), *, encoding: str = "utf-8"
    ) -> None:
        super().__init__(address, Sip2Handler)
        self.encoding = encoding
        self.state = LibraryState()
        self.misbehaviour = Misbehaviour()
        self.logged_in = False
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def start(self) -> Sip2Server:
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def __enter__(self) -> Sip2Server:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # --- answers --------------------------------------------------------------------

    def answer(self, text: str) -> str:
        try:
            message = parse(text)
        except Sip2FormatError:
            return "96"
        handler = {
            "93": self._login,
            "99": self._status,
            "63": self._patron,
            "17": self._item,
            "29": self._renew,
            "15": self._hold,
        }.get(message.command)
        if handler is None:
            return "96"
        with self.state.lock:
            body = handler(message)
            sequence = message.sequence or 0
            if self.misbehaviour.wrong_sequence:
                self.misbehaviour.wrong_sequence -= 1
                sequence += 1
        return seal(body, sequence)

    def _now(self) -> str:
        return sip_datetime(datetime.datetime.now())

    def _login(self, message: Message) -> str:
        ok = message.get("CN") == LOGIN_USER and message.get("CO") == LOGIN_PASSWORD
        return "94" + ("1" if ok else "0")

    def _status(self, message: Message) -> str:
        online = "N" if self.misbehaviour.offline else "Y"
        return (
            f"98{online}YYYNN"
            + "030003"
            + self._now()
            + "2.00"
            + fields_text(
                ("AO", catalogue.INSTITUTION),
                ("AM", catalogue.LIBRARY_NAME),
                ("BX", "YYYYYYYYYYYYYYYY"),
            )
        )

    def _patron(self, message: Message) -> str:
        patron_id, password = message.get("AA"), message.get("AD")
        reader, password_ok = self.state.reader(patron_id, password)
        summary = message.flag(21, 10)
        loans = self.state.loans.get(patron_id, []) if reader else []
        holds = self.state.holds.get(patron_id, []) if reader else []
        today = datetime.date.today()
        overdue = [row for row in loans if row.due_on < today]
        status = [" "] * 14
        if reader is not None and reader.blocked:
            status[0] = status[1] = status[3] = status[4] = "Y"
        pairs: list[tuple[str, str]] = [
            ("AO", catalogue.INSTITUTION),
            ("AA", patron_id),
            ("AE", reader.name if reader and password_ok else ""),
            ("BL", "Y" if reader else "N"),
            ("CQ", "Y" if password_ok else "N"),
        ]
        if reader and password_ok:
            if summary[:1] == "Y":
                pairs += [("AS", item) for item in holds]
            if summary[2:3] == "Y":
                pairs += [("AU", row.item_id) for row in loans]
            if summary[1:2] == "Y":
                pairs += [("AT", row.item_id) for row in overdue]
        if reader is None:
            pairs.append(("AF", "读者证号不存在"))
        elif not password_ok:
            pairs.append(("AF", "读者证密码错误"))
        elif reader.blocked:
            pairs.append(("AF", "读者证已挂失"))
        counts = (len(holds), len(overdue), len(loans), 0, 0, 0) if password_ok else (0,) * 6
        return (
            "64"
            + "".join(status)
            + "001"
            + self._now()
            + "".join(f"{n:04d}" for n in counts)
            + fields_text(*pairs)
        )

    def _item(self, message: Message) -> str:
        item_id = message.get("AB")
        book = catalogue.BOOKS_BY_ID.get(item_id)
        if book is None:
            return (
                "18010001"
                + self._now()
                + fields_text(("AB", item_id), ("AJ", ""), ("AF", "馆藏中没有这一册"))
            )
        loan = self.state.holder_of(item_id)
        on_shelf_for = any(item_id in items for items in self.state.holds.values())
        if loan is not None:
            circulation = "04"
        elif on_shelf_for:
            circulation = "08"
        else:
            circulation = "03"
        pairs = [
            ("CF", str(self.state.queue(item_id)).rjust(4, "0")),
        ]
        if loan is not None:
            pairs.append(
                (
                    "AH",
                    sip_datetime(datetime.datetime.combine(loan.due_on, datetime.time(23, 59, 59))),
                )
            )
        pairs += [
            ("AB", item_id),
            ("AJ", book.title),
            ("AQ", book.location),
            ("AP", book.location),
        ]
        return f"18{circulation}0001" + self._now() + fields_text(*pairs)

    def _renew(self, message: Message) -> str:
        patron_id, item_id = message.get("AA"), message.get("AB")
        reader, password_ok = self.state.reader(patron_id, message.get("AD"))
        rows = [row for row in self.state.loans.get(patron_id, []) if row.item_id == item_id]
        book = catalogue.BOOKS_BY_ID.get(item_id)
        title = book.title if book else ""
        refusal = ""
        if reader is None or not password_ok:
            refusal = "读者证号或密码错误"
        elif reader.blocked:
            refusal = "读者证已挂失，不能续借"
        elif not rows:
            refusal = "该读者没有借阅这一册"
        elif self.state.queue(item_id):
            refusal = "该书已被其他读者预约，不能续借"
        elif rows[0].renewals >= catalogue.MAX_RENEWALS:
            refusal = "已达到续借次数上限"
        pairs = [("AO", catalogue.INSTITUTION), ("AA", patron_id), ("AB", item_id), ("AJ", title)]
        if refusal:
            return "300NUN" + self._now() + fields_text(*pairs, ("AH", ""), ("AF", refusal))
        row = rows[0]
        row.renewals += 1
        row.due_on = datetime.date.today() + datetime.timedelta(days=catalogue.LOAN_DAYS)
        due = sip_datetime(datetime.datetime.combine(row.due_on, datetime.time(23, 59, 59)))
        return "301YNN" + self._now() + fields_text(*pairs, ("AH", due), ("AF", "续借成功"))

    def _hold(self, message: Message) -> str:
        patron_id, item_id = message.get("AA"), message.get("AB")
        reader, password_ok = self.state.reader(patron_id, message.get("AD"))
        book = catalogue.BOOKS_BY_ID.get(item_id)
        refusal = ""
        if reader is None or not password_ok:
            refusal = "读者证号或密码错误"
        elif reader.blocked:
            refusal = "读者证已挂失，不能预约"
        elif book is None:
            refusal = "馆藏中没有这一册"
        elif any(row.item_id == item_id for row in self.state.loans.get(patron_id, [])):
            refusal = "您已借阅这一册，不能预约"
        elif item_id in self.state.holds.get(patron_id, []):
            refusal = "您已预约这一册"
        pairs = [("AO", catalogue.INSTITUTION), ("AA", patron_id), ("AB", item_id)]
        if refusal:
            return "160N" + self._now() + fields_text(*pairs, ("AF", refusal))
        assert book is not None
        position = self.state.queue(item_id) + 1
        available = self.state.holder_of(item_id) is None and position == 1
        self.state.holds.setdefault(patron_id, []).append(item_id)
        return (
            "161"
            + ("Y" if available else "N")
            + self._now()
            + fields_text(
                ("BR", str(position)),
                ("BS", catalogue.PICKUP_LOCATION),
                *pairs,
                ("AJ", book.title),
                ("AF", "预约成功"),
            )
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="The demo library's SIP2 server.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=6001)
    args = parser.parse_args(argv)
    server = Sip2Server((args.host, args.port))
    print(f"SIP2 server for {catalogue.LIBRARY_NAME} on {args.host}:{server.port}")
    server.serve_forever()


if __name__ == "__main__":
    main()
