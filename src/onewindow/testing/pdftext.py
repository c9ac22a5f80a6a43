"""The text of a PDF that reportlab wrote, read with the standard library only (no PDF
library is installed): each content stream is decoded (ASCII85 and Flate, as reportlab
writes them), and the strings of its text-showing operators (``(...) Tj``) are unescaped and
decoded as UTF-16BE (the letters set every string in the CID font STSong-Light, encoding
UniGB-UCS2-H). Lines are joined without separators, as Chinese wraps anywhere."""

from __future__ import annotations

import base64
import re
import zlib

STREAM = re.compile(rb"<<(.*?)>>\s*stream\r?\n(.*?)endstream", re.S)
ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _streams(pdf: bytes) -> list[bytes]:
    out = []
    for match in STREAM.finditer(pdf):
        head, raw = match.group(1), match.group(2).strip()
        if b"ASCII85Decode" in head:
            raw = base64.a85decode(raw, adobe=True)
        if b"FlateDecode" in head:
            raw = zlib.decompress(raw)
        out.append(raw)
    return out


def _literal_strings(content: bytes) -> list[bytes]:
    """The literal strings ``(...)`` followed by ``Tj`` in a content stream."""
    found: list[bytes] = []
    i = 0
    while i < len(content):
        if content[i : i + 1] != b"(":
            i += 1
            continue
        depth, j, buf = 1, i + 1, bytearray()
        while j < len(content) and depth:
            ch = content[j : j + 1]
            if ch == b"\\":
                nxt = content[j + 1 : j + 2]
                if nxt in ESCAPES:
                    buf += ESCAPES[nxt]
                    j += 2
                elif nxt.isdigit():
                    digits = re.match(rb"[0-7]{1,3}", content[j + 1 : j + 4])
                    assert digits is not None
                    buf.append(int(digits.group(0), 8))
                    j += 1 + len(digits.group(0))
                else:
                    buf += nxt
                    j += 2
                continue
            if ch == b"(":
                depth += 1
            elif ch == b")":
                depth -= 1
                if not depth:
                    break
            buf += ch
            j += 1
        rest = content[j + 1 : j + 8].lstrip()
        if rest.startswith(b"Tj"):
            found.append(bytes(buf))
        i = j + 1
    return found


def pdf_text(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF-"), pdf[:20]
    parts = []
    for content in _streams(pdf):
        for raw in _literal_strings(content):
            parts.append(raw.decode("utf-16-be", errors="replace"))
    return "".join(parts)
