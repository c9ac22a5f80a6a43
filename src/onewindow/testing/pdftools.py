"""Read back what a PDF that reportlab wrote (a licence, a decision letter) shows, as a person
(or a phone's camera) would: its text, and the QR code's modules, without a PDF or QR reader
(none is installed). reportlab writes each stream ASCII85- and Flate-encoded, the
STSong-Light text (a CID font, encoding UniGB-UCS2-H) as UTF-16BE string literals shown with
``Tj``, and the QR code as an RGB image of 10-pixel modules."""

from __future__ import annotations

import base64
import re
import zlib
from collections.abc import Iterator

import qrcode

_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def pdf_streams(body: bytes) -> Iterator[tuple[bytes, bytes]]:
    """(object header, decoded data) of every stream in the PDF."""
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", body, re.S):
        head = body[body.rfind(b" obj", 0, match.start()) : match.start()]
        data = match.group(1)
        if b"ASCII85Decode" in head:
            text = data.strip().removeprefix(b"<~").removesuffix(b"~>")
            data = base64.a85decode(b"".join(text.split()))
        if b"FlateDecode" in head:
            data = zlib.decompress(data)
        yield head, data


def _unescape(literal: bytes) -> bytes:
    out = bytearray()
    i = 0
    while i < len(literal):
        char = literal[i : i + 1]
        if char != b"\\":
            out += char
            i += 1
            continue
        following = literal[i + 1 : i + 2]
        octal = re.match(rb"[0-7]{1,3}", literal[i + 1 : i + 4])
        if octal:
            out.append(int(octal.group(0), 8))
            i += 1 + len(octal.group(0))
        else:
            out += _ESCAPES.get(following, following)
            i += 2
    return bytes(out)


def pdf_text_lines(body: bytes) -> list[str]:
    """Every string drawn with the CID font (UTF-16BE), in drawing order."""
    lines = []
    for _head, data in pdf_streams(body):
        for match in re.finditer(rb"\(((?:\\.|[^\\)])*)\) Tj", data, re.S):
            raw = _unescape(match.group(1))
            try:
                lines.append(raw.decode("utf-16-be"))
            except UnicodeDecodeError:
                lines.append(raw.decode("latin-1"))
    return lines


def pdf_text(body: bytes) -> str:
    """All the text the PDF shows, in drawing order, joined without separators (Chinese
    wraps anywhere, so a phrase may be split over two lines)."""
    assert body.startswith(b"%PDF-"), body[:20]
    return "".join(pdf_text_lines(body))


def pdf_qr_matrix(body: bytes, *, box: int = 10) -> list[list[bool]] | None:
    """The dark/light modules of the first image in the PDF (the QR code)."""
    for head, data in pdf_streams(body):
        if b"/Subtype /Image" not in head:
            continue
        found = re.search(rb"/Width (\d+)", head)
        assert found is not None
        width = int(found.group(1))
        channels = 3 if b"DeviceRGB" in head else 1
        size = width // box
        half = box // 2
        return [
            [
                data[((row * box + half) * width + col * box + half) * channels] < 128
                for col in range(size)
            ]
            for row in range(size)
        ]
    return None


def qr_matrix_of(text: str) -> list[list[bool]]:
    """The modules of the QR code the PDF draws for ``text`` (same settings as ``qr_png``)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(text)
    code.make(fit=True)
    return [[bool(cell) for cell in row] for row in code.get_matrix()]


def pdf_qr_encodes(body: bytes, text: str) -> bool:
    """Does the PDF's QR code encode exactly ``text``? (The same data gives the same
    modules; any other data, even one character apart, gives others.)"""
    return pdf_qr_matrix(body) == qr_matrix_of(text)
