"""A licence as a PDF: its fields in Chinese (reportlab's STSong-Light CID font) and a QR code
for third-party verification.

The QR code is the public verify URL with the credential id (``?id=<uuid>``): it points to
the credential. It would carry the compact JWS too (``&jws=…``) when that is at most
``QR_MAX_JWS`` characters, but the licences issued today are 1.2–1.3k characters (VC 2.0
context, status entry, claims), which would need a QR code too dense to scan reliably from a
printed A5 page, so in practice the QR code carries the reference only and the verify page
checks the signature of the issued record."""

from __future__ import annotations

import io

import qrcode
from django.urls import reverse
from django.utils import timezone
from reportlab.lib.pagesizes import A5
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from onewindow.licences.models import Licence
from onewindow.licences.services import public_url

FONT = "STSong-Light"
QR_MAX_JWS = 1000


def verify_url(licence: Licence, *, with_jws: bool | None = None) -> str:
    url = public_url(reverse("licences:verify")) + f"?id={licence.credential_id}"
    carry = len(licence.jws) <= QR_MAX_JWS if with_jws is None else with_jws
    return url + (f"&jws={licence.jws}" if carry else "")


def qr_png(data: str) -> bytes:
    image = qrcode.make(data, error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue()


STATE_LABELS = {"valid": "有效", "expired": "已过期", "revoked": "已撤销"}


def _claim_lines(licence: Licence, *, issuer_name: str) -> list[tuple[str, str]]:
    """What the PDF states, in Chinese (the licence's language): type, number, holder, what
    was granted, issuer, dates (local), state."""
    from onewindow.licences.selectors import licence_claim_lines

    lines = [
        ("证照名称", licence.licence_type.name_zh),
        ("证照编号", licence.number),
        *licence_claim_lines(licence),
        ("发证机关", issuer_name),
        ("发证日期", f"{timezone.localdate(licence.issued_at):%Y-%m-%d}"),
        (
            "有效期至",
            f"{timezone.localdate(licence.valid_until):%Y-%m-%d}"
            if licence.valid_until
            else "长期有效",
        ),
        ("状态", STATE_LABELS[licence.state]),
    ]
    return lines


def _wrap(text: str, width: int) -> list[str]:
    """Split a line of (mostly CJK) text into lines of at most ``width`` characters."""
    return [text[i : i + width] for i in range(0, len(text), width)] or [""]


def licence_pdf(licence: Licence, *, issuer_name: str) -> bytes:
    """The PDF of a licence that is not revoked (the view refuses a revoked one)."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    out = io.BytesIO()
    width, height = A5
    pdf = canvas.Canvas(out, pagesize=A5)
    pdf.setTitle(f"{licence.licence_type.name_zh} {licence.number}")
    pdf.setFont(FONT, 18)
    pdf.drawCentredString(width / 2, height - 25 * mm, licence.licence_type.name_zh)
    pdf.setFont(FONT, 10)
    pdf.drawCentredString(width / 2, height - 32 * mm, f"电子证照（{issuer_name}）")
    y = height - 44 * mm
    rows = [f"{label}：{value}" for label, value in _claim_lines(licence, issuer_name=issuer_name)]
    size_pt = 11.0 if len(rows) <= 11 else 9.0
    per_line = int((width - 24 * mm) / size_pt)  # full-width characters per line
    wrapped = [part for row in rows for part in _wrap(row, per_line)]
    room = y - 80 * mm  # above the QR code and its caption
    step = min(7 * mm, room / max(len(wrapped), 1))
    pdf.setFont(FONT, min(size_pt, step * 0.85))
    for text in wrapped:
        pdf.drawString(12 * mm, y, text)
        y -= step
    size = 55 * mm
    pdf.drawImage(
        ImageReader(io.BytesIO(qr_png(verify_url(licence)))),
        (width - size) / 2,
        18 * mm,
        size,
        size,
    )
    pdf.setFont(FONT, 8)
    pdf.drawCentredString(width / 2, 13 * mm, "扫码或访问核验页面验证本证照真伪与状态")
    pdf.drawCentredString(width / 2, 8 * mm, f"urn:uuid:{licence.credential_id}")
    pdf.showPage()
    pdf.save()
    return out.getvalue()
