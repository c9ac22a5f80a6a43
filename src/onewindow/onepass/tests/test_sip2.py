"""The SIP2 adapter against the SIP2 server the repository ships, on a real socket: message
formats, checksums, renewals and holds, and what it does with a late, damaged or garbled
answer."""

from __future__ import annotations

import datetime
import socket
import time

import pytest

from onewindow.onepass.providers.base import ProviderError, ProviderRefused
from onewindow.onepass.providers.sip2 import (
    Sip2FormatError,
    Sip2Library,
    checksum,
    checksum_ok,
    parse,
    seal,
    sip_date,
)
from onewindow.onepass.sip2server import LOGIN_PASSWORD, LOGIN_USER, Sip2Server

TODAY = datetime.date.today()


def library(server: Sip2Server, **kwargs: object) -> Sip2Library:
    return Sip2Library(
        host="127.0.0.1",
        port=server.port,
        institution="GZLIB",
        login_user=LOGIN_USER,
        login_password=LOGIN_PASSWORD,
        **kwargs,  # type: ignore[arg-type]
    )


def test_the_checksum_is_the_one_in_the_3m_guide() -> None:
    # 3M SIP2 Developers Guide, SC status example.
    assert checksum("990 402.00AY1AZ") == "FCB4"
    assert checksum_ok("990 402.00AY1AZFCB4")
    assert not checksum_ok("990 402.00AY1AZFCB5")
    assert not checksum_ok("990 402.00")


def test_a_sealed_message_parses_back_into_its_fields() -> None:
    text = seal(
        "64" + " " * 14 + "001" + "20261204    120000" + "0000" * 6 + "AOGZLIB|AA123|AE陈小红|", 3
    )
    assert text.endswith(checksum(text[:-4]))
    message = parse(text)
    assert (message.command, message.sequence) == ("64", 3)
    assert message.get("AE") == "陈小红"
    assert message.all("AA") == ("123",)


def test_garbage_is_not_a_message() -> None:
    for junk in ("", "HTTP/1.1 400 Bad Request", "6", "64short", "18030001" + "x" * 18 + "bad"):
        with pytest.raises(Sip2FormatError):
            parse(junk)


def test_due_dates_in_the_forms_libraries_send() -> None:
    assert sip_date("20261215    235959") == datetime.date(2026, 12, 15)
    assert sip_date("20261215") == datetime.date(2026, 12, 15)
    assert sip_date("2026-12-15") == datetime.date(2026, 12, 15)
    assert sip_date("") is None
    assert sip_date("20261345") is None


def test_a_reader_with_loans_and_holds(sip2_server: Sip2Server) -> None:
    account = library(sip2_server).account_get(patron_id="0440100023456", password="654321")
    assert account.patron.name == "王建国"
    assert (account.patron.valid, account.patron.password_ok, account.patron.blocked) == (
        True,
        True,
        False,
    )
    assert [(loan.title, loan.due_on) for loan in account.loans] == [
        ("三体", TODAY + datetime.timedelta(days=5))
    ]
    assert [hold.title for hold in account.holds] == ["红楼梦（上下）"]


def test_a_wrong_password_and_an_unknown_card(sip2_server: Sip2Server) -> None:
    wrong = library(sip2_server).patron_get(patron_id="0440100023456", password="000000")
    assert (wrong.valid, wrong.password_ok, wrong.name) == (True, False, "")
    unknown = library(sip2_server).patron_get(patron_id="9999999999", password="1")
    assert (unknown.valid, unknown.screen_message) == (False, "读者证号不存在")


def test_a_lost_card_is_blocked(sip2_server: Sip2Server) -> None:
    patron = library(sip2_server).patron_get(patron_id="0440100034567", password="111111")
    assert patron.blocked


def test_renewal_moves_the_due_date_and_a_held_book_is_refused(sip2_server: Sip2Server) -> None:
    lib = library(sip2_server)
    outcome = lib.loan_renew(patron_id="0440100012345", password="123456", item_id="3100128345")
    assert (outcome.title, outcome.due_on) == ("活着", TODAY + datetime.timedelta(days=30))
    account = lib.account_get(patron_id="0440100012345", password="123456")
    assert {loan.title: loan.renewable for loan in account.loans} == {
        "活着": True,
        "乡土中国": False,
    }
    with pytest.raises(ProviderRefused) as refused:
        lib.loan_renew(patron_id="0440100012345", password="123456", item_id="3100128350")
    assert refused.value.reason == "该书已被其他读者预约，不能续借"


def test_a_hold_answers_its_queue_position_and_pickup(sip2_server: Sip2Server) -> None:
    lib = library(sip2_server)
    outcome = lib.hold_place(patron_id="0440100012345", password="123456", item_id="3100128347")
    assert (outcome.title, outcome.queue_position) == ("三体", 1)
    assert outcome.pickup_location == "广州图书馆总馆一楼预约取书处"
    assert not outcome.available  # 王建国 has it
    with pytest.raises(ProviderRefused) as again:
        lib.hold_place(patron_id="0440100012345", password="123456", item_id="3100128347")
    assert again.value.reason == "您已预约这一册"


def test_item_information(sip2_server: Sip2Server) -> None:
    item = library(sip2_server).item_get(item_id="3100128353")
    assert (item.title, item.available) == ("岭南文化十大名片", True)
    with pytest.raises(ProviderRefused):
        library(sip2_server).item_get(item_id="0000000000")


def test_a_login_the_library_refuses(sip2_server: Sip2Server) -> None:
    lib = library(sip2_server)
    lib.login_password = "wrong"
    with pytest.raises(ProviderError, match="login refused"):
        lib.patron_get(patron_id="0440100012345", password="123456")


def test_an_answer_later_than_the_timeout(sip2_server: Sip2Server) -> None:
    sip2_server.misbehaviour.delay = 0.6
    started = time.monotonic()
    with pytest.raises(ProviderError, match="too late"):
        library(sip2_server, timeout=0.3).patron_get(patron_id="0440100012345", password="123456")
    assert time.monotonic() - started < 2


def test_a_damaged_checksum_is_asked_again_once(sip2_server: Sip2Server) -> None:
    sip2_server.misbehaviour.bad_checksum = 1
    patron = library(sip2_server).patron_get(patron_id="0440100012345", password="123456")
    assert patron.name == "陈小红"


def test_a_checksum_damaged_twice_is_an_error(sip2_server: Sip2Server) -> None:
    sip2_server.misbehaviour.bad_checksum = 2
    with pytest.raises(Sip2FormatError, match="bad checksum"):
        library(sip2_server).patron_get(patron_id="0440100012345", password="123456")


def test_garbage_on_the_wire_is_an_error(sip2_server: Sip2Server) -> None:
    sip2_server.misbehaviour.garbage = 2
    with pytest.raises(ProviderError):
        library(sip2_server).account_get(patron_id="0440100012345", password="123456")


def test_a_connection_closed_before_the_answer(sip2_server: Sip2Server) -> None:
    sip2_server.misbehaviour.hang_up = 1
    with pytest.raises(ProviderError, match="closed"):
        library(sip2_server).patron_get(patron_id="0440100012345", password="123456")


def test_an_acs_off_line(sip2_server: Sip2Server) -> None:
    sip2_server.misbehaviour.offline = True
    with pytest.raises(ProviderError, match="off line"):
        library(sip2_server).patron_get(patron_id="0440100012345", password="123456")


def test_nothing_listening() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    lib = Sip2Library(host="127.0.0.1", port=port, institution="GZLIB", connect_timeout=0.5)
    with pytest.raises(ProviderError, match="unreachable"):
        lib.patron_get(patron_id="0440100012345", password="123456")


def test_the_server_asks_a_client_to_resend_a_damaged_request(sip2_server: Sip2Server) -> None:
    with socket.create_connection(("127.0.0.1", sip2_server.port), timeout=2) as sock:
        sock.sendall(b"9900402.00AY1AZ0000\r")
        assert sock.recv(100) == b"96\r"
        sock.sendall((seal("9900402.00", 1) + "\r").encode())
        answer = sock.recv(1000).decode()
    assert answer.startswith("98YYYYNN") and checksum_ok(answer.rstrip("\r"))
    assert parse(answer).get("AM") == "广州图书馆（演示）"


def test_a_library_speaking_gb18030() -> None:
    """Some library systems speak SIP2 in GB18030; the checksum is over characters either way."""
    with Sip2Server(encoding="gb18030") as server:
        account = library(server, encoding="gb18030").account_get(
            patron_id="0440100023456", password="654321"
        )
    assert account.patron.name == "王建国"
    assert [loan.title for loan in account.loans] == ["三体"]


def test_an_endless_answer_is_cut_off() -> None:
    """A service that streams bytes without ever ending a message is not read forever."""
    import contextlib
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)

    def flood() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(1000)
            with contextlib.suppress(OSError):
                conn.sendall(b"98" + b"Y" * 40_000)

    threading.Thread(target=flood, daemon=True).start()
    lib = Sip2Library(
        host="127.0.0.1", port=listener.getsockname()[1], institution="GZLIB", timeout=2
    )
    with pytest.raises(ProviderError, match="too long"):
        lib.patron_get(patron_id="0440100012345", password="123456")
    listener.close()


def test_an_answer_to_another_request_is_refused(sip2_server: Sip2Server) -> None:
    sip2_server.misbehaviour.wrong_sequence = 1
    with pytest.raises(Sip2FormatError, match="another request"):
        library(sip2_server).patron_get(patron_id="0440100012345", password="123456")
