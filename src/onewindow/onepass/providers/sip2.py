"""A library's circulation system over SIP2 (3M Standard Interchange Protocol 2.00), the
protocol Koha, Evergreen and most library systems serve to self-service machines.

A message is a two-digit command, fixed-length fields, then variable fields (a two-letter
id, the value, ``|``), the sequence number ``AY<n>`` and the checksum ``AZ<hhhh>``, ended
by a carriage return. The checksum is the 16-bit two's complement of the sum of every
character up to and including ``AZ`` (as Koha's ``Sip::Checksum`` computes it, over
characters). Each operation opens one TCP connection, logs in (93/94), checks the ACS is
on line (99/98), asks, and closes; connect and read have timeouts, an answer with a bad
checksum is asked again once (97), and anything unreadable is a ``ProviderError``."""

from __future__ import annotations

import datetime
import re
import socket
import time
from dataclasses import dataclass, field

from onewindow.onepass.providers.base import (
    HoldItem,
    HoldOutcome,
    Item,
    Loan,
    Patron,
    PatronAccount,
    ProviderError,
    ProviderRefused,
    RenewOutcome,
)

TERMINATOR = "\r"
MAX_MESSAGE = 32 * 1024
PROTOCOL_VERSION = "2.00"

# Fixed-length part of each message after its two-digit command (3M SIP2 Developers Guide).
FIXED = {
    "93": 2,  # UID algorithm, PWD algorithm
    "94": 1,  # ok
    "99": 8,  # status code, max print width (3), protocol version (4)
    "98": 34,  # 6 flags, timeout (3), retries (3), date/time sync (18), protocol version (4)
    "63": 31,  # language (3), transaction date (18), summary (10)
    "64": 59,  # patron status (14), language (3), transaction date (18), 6 counts of 4
    "29": 38,  # third party allowed, no block, transaction date (18), nb due date (18)
    "30": 22,  # ok, renewal ok, magnetic media, desensitize, transaction date (18)
    "15": 19,  # hold mode, transaction date (18)
    "16": 20,  # ok, available, transaction date (18)
    "17": 18,  # transaction date (18)
    "18": 24,  # circulation status (2), security marker (2), fee type (2), date (18)
    "96": 0,
    "97": 0,
}
TRAILER = re.compile(r"AY(\d)AZ([0-9A-Fa-f]{4})$")

# Patron status (64): position → meaning; the ones that stop a card being used online.
STATUS_CHARGE_DENIED = 0
STATUS_RENEWAL_DENIED = 1
STATUS_HOLD_DENIED = 3
STATUS_CARD_LOST = 4

# Item circulation status (18).
CIRCULATION_AVAILABLE = "03"
CIRCULATION_CHARGED = "04"
CIRCULATION_ON_HOLD_SHELF = "08"


class Sip2FormatError(ProviderError):
    pass


def checksum(text: str) -> str:
    return f"{(-sum(ord(ch) for ch in text)) & 0xFFFF:04X}"


def seal(body: str, sequence: int) -> str:
    """``body`` with its sequence number and checksum (without the terminator)."""
    head = f"{body}AY{sequence % 10}AZ"
    return head + checksum(head)


def checksum_ok(message: str) -> bool:
    if not TRAILER.search(message):
        return False
    return checksum(message[:-4]) == message[-4:].upper()


def sip_datetime(moment: datetime.datetime) -> str:
    """YYYYMMDDZZZZHHMMSS, the zone as four spaces (local time)."""
    return moment.strftime("%Y%m%d    %H%M%S")


def sip_date(value: str) -> datetime.date | None:
    """A due date as libraries send it: ``YYYYMMDD    HHMMSS`` (Koha, Evergreen), bare
    ``YYYYMMDD`` or ``YYYY-MM-DD``; None when it is none of them."""
    value = value.strip()
    for pattern, fmt in ((r"\d{8}", "%Y%m%d"), (r"\d{4}-\d{2}-\d{2}", "%Y-%m-%d")):
        match = re.match(pattern, value)
        if match:
            try:
                return datetime.datetime.strptime(match.group(0), fmt).date()
            except ValueError:
                return None
    return None


def clean(value: str) -> str:
    """A value as a field may carry it: no field separator, no line end."""
    return value.replace("|", " ").replace("\r", " ").replace("\n", " ")


def fields_text(*pairs: tuple[str, str]) -> str:
    return "".join(f"{code}{clean(value)}|" for code, value in pairs)


@dataclass(frozen=True)
class Message:
    command: str
    fixed: str
    fields: dict[str, tuple[str, ...]] = field(default_factory=dict)
    sequence: int | None = None

    def get(self, code: str, default: str = "") -> str:
        values = self.fields.get(code)
        return values[0] if values else default

    def all(self, code: str) -> tuple[str, ...]:
        return self.fields.get(code, ())

    def flag(self, index: int, width: int = 1) -> str:
        return self.fixed[index : index + width]


def parse(message: str) -> Message:
    """One message without its terminator; Sip2FormatError when it is not SIP2."""
    text = message.rstrip("\r\n")
    sequence: int | None = None
    trailer = TRAILER.search(text)
    if trailer:
        sequence = int(trailer.group(1))
        text = text[: trailer.start()]
    command = text[:2]
    if command not in FIXED or not command.isdigit():
        raise Sip2FormatError(f"unknown command {command!r}")
    width = FIXED[command]
    fixed = text[2 : 2 + width]
    if len(fixed) != width:
        raise Sip2FormatError(f"message {command} too short")
    found: dict[str, list[str]] = {}
    rest = text[2 + width :]
    for piece in rest.split("|"):
        if not piece:
            continue
        if len(piece) < 2 or not re.fullmatch(r"[A-Z]{2}", piece[:2]):
            raise Sip2FormatError(f"bad field {piece[:8]!r} in message {command}")
        found.setdefault(piece[:2], []).append(piece[2:])
    return Message(command, fixed, {k: tuple(v) for k, v in found.items()}, sequence)


@dataclass
class Sip2Library:
    """The library's SIP2 service. ``login_user``/``login_password`` are the self-service
    account the library gives OneWindow (93 CN/CO); ``location`` its location code (CP)."""

    host: str
    port: int
    institution: str
    login_user: str = ""
    login_password: str = ""
    location: str = ""
    timeout: float = 5.0
    connect_timeout: float = 3.0
    encoding: str = "utf-8"
    name: str = "sip2"
    _sequence: int = 0

    # --- the wire -------------------------------------------------------------------

    def _next_sequence(self) -> int:
        self._sequence = (self._sequence + 1) % 10
        return self._sequence

    def _read(self, sock: socket.socket, deadline: float) -> str:
        buffer = b""
        while b"\r" not in buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ProviderError("SIP2 answer too late")
            sock.settimeout(remaining)
            try:
                chunk = sock.recv(4096)
            except TimeoutError as exc:
                raise ProviderError("SIP2 answer too late") from exc
            except OSError as exc:
                raise ProviderError(f"SIP2 connection failed: {exc}") from exc
            if not chunk:
                raise ProviderError("SIP2 connection closed before an answer")
            buffer += chunk
            if len(buffer) > MAX_MESSAGE:
                raise ProviderError("SIP2 answer too long")
        raw, _sep, _rest = buffer.partition(b"\r")
        try:
            return raw.decode(self.encoding).lstrip("\n")
        except UnicodeDecodeError as exc:
            raise Sip2FormatError("SIP2 answer is not text") from exc

    def _send(self, sock: socket.socket, body: str) -> int:
        sequence = self._next_sequence()
        data = (seal(body, sequence) + TERMINATOR).encode(self.encoding)
        try:
            sock.sendall(data)
        except OSError as exc:
            raise ProviderError(f"SIP2 connection failed: {exc}") from exc
        return sequence

    def _exchange(self, sock: socket.socket, body: str, expect: str) -> Message:
        sequence = self._send(sock, body)
        deadline = time.monotonic() + self.timeout
        answer = self._read(sock, deadline)
        if not checksum_ok(answer):
            # The ACS answered but the message was damaged: ask it to resend once (97).
            self._send(sock, "97")
            answer = self._read(sock, time.monotonic() + self.timeout)
            if not checksum_ok(answer):
                raise Sip2FormatError("SIP2 answer with a bad checksum")
        message = parse(answer)
        if message.command != expect:
            raise Sip2FormatError(f"expected {expect}, got {message.command}")
        if message.sequence is not None and message.sequence != sequence:
            # The ACS echoes the request's sequence number: this answers another request.
            raise Sip2FormatError("SIP2 answer to another request")
        return message

    def _session(self) -> socket.socket:
        try:
            sock = socket.create_connection((self.host, self.port), timeout=self.connect_timeout)
        except OSError as exc:
            raise ProviderError(f"SIP2 service unreachable: {exc}") from exc
        try:
            if self.login_user:
                login = self._exchange(
                    sock,
                    "9300"
                    + fields_text(
                        ("CN", self.login_user),
                        ("CO", self.login_password),
                        ("CP", self.location),
                    ),
                    "94",
                )
                if login.flag(0) != "1":
                    raise ProviderError("SIP2 login refused")
            status = self._exchange(sock, f"990040{PROTOCOL_VERSION}", "98")
            if status.flag(0) != "Y":
                raise ProviderError("library system off line")
        except BaseException:
            sock.close()
            raise
        return sock

    def _now(self) -> str:
        return sip_datetime(datetime.datetime.now())

    # --- requests -------------------------------------------------------------------

    def _patron_info(
        self, sock: socket.socket, patron_id: str, password: str, summary: str
    ) -> Message:
        return self._exchange(
            sock,
            "63"
            + "001"  # language: English (the spec's code table has no Chinese)
            + self._now()
            + summary.ljust(10)
            + fields_text(
                ("AO", self.institution), ("AA", patron_id), ("AC", ""), ("AD", password)
            ),
            "64",
        )

    def _item_info(self, sock: socket.socket, item_id: str) -> Message:
        return self._exchange(
            sock,
            "17" + self._now() + fields_text(("AO", self.institution), ("AB", item_id), ("AC", "")),
            "18",
        )

    @staticmethod
    def _patron(patron_id: str, message: Message) -> Patron:
        status = message.flag(0, 14)
        return Patron(
            patron_id=message.get("AA", patron_id),
            name=message.get("AE"),
            valid=message.get("BL") == "Y",
            password_ok=message.get("CQ") == "Y",
            blocked="Y" in (status[STATUS_CHARGE_DENIED], status[STATUS_CARD_LOST]),
            screen_message=message.get("AF"),
        )

    def patron_get(self, *, patron_id: str, password: str) -> Patron:
        sock = self._session()
        try:
            return self._patron(patron_id, self._patron_info(sock, patron_id, password, ""))
        finally:
            sock.close()

    def account_get(self, *, patron_id: str, password: str) -> PatronAccount:
        sock = self._session()
        try:
            charged = self._patron_info(sock, patron_id, password, "  Y")
            patron = self._patron(patron_id, charged)
            if not (patron.valid and patron.password_ok):
                return PatronAccount(patron)
            renewal_denied = charged.flag(STATUS_RENEWAL_DENIED) == "Y"
            loans = []
            for item_id in charged.all("AU"):
                info = self._item_info(sock, item_id)
                due_on = sip_date(info.get("AH"))
                if due_on is None:
                    raise Sip2FormatError(f"loan {item_id} without a due date")
                queue = info.get("CF").strip()
                loans.append(
                    Loan(
                        item_id=item_id,
                        title=info.get("AJ") or item_id,
                        author="",  # SIP2 2.00 carries no author
                        due_on=due_on,
                        renewable=not renewal_denied and (not queue.isdigit() or int(queue) == 0),
                    )
                )
            held = self._patron_info(sock, patron_id, password, "Y")
            holds = []
            for item_id in held.all("AS"):
                info = self._item_info(sock, item_id)
                holds.append(
                    HoldItem(
                        item_id=item_id,
                        title=info.get("AJ") or item_id,
                        available=info.flag(0, 2) == CIRCULATION_ON_HOLD_SHELF,
                    )
                )
            return PatronAccount(patron, tuple(loans), tuple(holds))
        finally:
            sock.close()

    def loan_renew(self, *, patron_id: str, password: str, item_id: str) -> RenewOutcome:
        sock = self._session()
        try:
            answer = self._exchange(
                sock,
                "29NN"
                + self._now()
                + " " * 18
                + fields_text(
                    ("AO", self.institution),
                    ("AA", patron_id),
                    ("AD", password),
                    ("AB", item_id),
                    ("AC", ""),
                    ("BO", "N"),
                ),
                "30",
            )
        finally:
            sock.close()
        if answer.flag(0) != "1":
            raise ProviderRefused(answer.get("AF"))
        due_on = sip_date(answer.get("AH"))
        if due_on is None:
            raise Sip2FormatError("renewal without a due date")
        return RenewOutcome(
            item_id=answer.get("AB", item_id), title=answer.get("AJ"), due_on=due_on
        )

    def hold_place(self, *, patron_id: str, password: str, item_id: str) -> HoldOutcome:
        sock = self._session()
        try:
            answer = self._exchange(
                sock,
                "15+"
                + self._now()
                + fields_text(
                    ("AO", self.institution),
                    ("AA", patron_id),
                    ("AD", password),
                    ("AB", item_id),
                    ("AC", ""),
                    ("BO", "N"),
                ),
                "16",
            )
        finally:
            sock.close()
        if answer.flag(0) != "1":
            raise ProviderRefused(answer.get("AF"))
        position = answer.get("BR").strip()
        return HoldOutcome(
            item_id=answer.get("AB", item_id),
            title=answer.get("AJ"),
            queue_position=int(position) if position.isdigit() else None,
            pickup_location=answer.get("BS"),
            available=answer.flag(1) == "Y",
        )

    def item_get(self, *, item_id: str) -> Item:
        sock = self._session()
        try:
            info = self._item_info(sock, item_id)
        finally:
            sock.close()
        status = info.flag(0, 2)
        if status == "01" and not info.get("AJ"):  # "other": the library does not know it
            raise ProviderRefused(info.get("AF"))
        queue = info.get("CF").strip()
        return Item(
            item_id=info.get("AB", item_id),
            title=info.get("AJ") or item_id,
            author="",  # SIP2 2.00 carries no author
            available=status == CIRCULATION_AVAILABLE,
            due_on=sip_date(info.get("AH")) if info.get("AH") else None,
            hold_queue=int(queue) if queue.isdigit() else 0,
            location=info.get("AQ"),
        )

    def patron_register(self, *, name: str, id_number: str, phone: str) -> tuple[str, str]:
        # SIP2 has no message that creates a patron; a library that opens cards online
        # does it through its own registration interface.
        raise ProviderRefused("")
