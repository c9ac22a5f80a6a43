"""A refusal letter as a PDF (A4): issuer, title, number, addressee, the decision and its
reasons with the figures and where they came from, the records used, the legal basis, the
remedies, the issuer and the date.

Chinese is set in reportlab's built-in CID font STSong-Light, as the licence PDFs are (the
licences app registers the same font; it has no font file or helper to share, so it is
registered here by the same name: registering it twice is harmless)."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from onewindow.cases.letters import LetterView

FONT = "STSong-Light"
NUMERALS = "一二三四五六七八九十"


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _style(name: str, size: float, **extra: object) -> ParagraphStyle:
    return ParagraphStyle(
        name, fontName=_font(), fontSize=size, leading=size * 1.7, wordWrap="CJK", **extra
    )


def _numeral(index: int) -> str:
    return NUMERALS[index] if index < len(NUMERALS) else str(index + 1)


def letter_pdf(view: LetterView) -> bytes:
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=25 * mm,
        topMargin=25 * mm,
        bottomMargin=20 * mm,
        title=f"{view.title} {view.number}",
        author=view.issuer,
        subject=view.case_number,
    )
    head = _style("head", 15, alignment=TA_CENTER)
    title = _style("title", 20, alignment=TA_CENTER, spaceBefore=4)
    number = _style("number", 11, alignment=TA_CENTER, spaceAfter=10)
    body = _style("body", 12, firstLineIndent=24, spaceAfter=4)
    plain = _style("plain", 12, spaceAfter=4)
    detail = _style("detail", 11, leftIndent=24, spaceAfter=2)
    right = _style("right", 12, alignment=TA_RIGHT)
    small = _style("small", 9)

    def p(text: str, style: ParagraphStyle) -> Paragraph:
        return Paragraph(escape(text), style)

    story = [
        p(view.issuer, head),
        p(view.title, title),
        p(view.number, number),
        p(_("%(name)s：") % {"name": view.addressee}, plain),
        p(view.opening, body),
    ]
    for index, reason in enumerate(view.reasons):
        story.append(p(f"{_numeral(index)}、{reason.text}", body))
        story.extend(p(line, detail) for line in reason.details)
    if view.records:
        story.append(p(_("本决定审查中通过数据共享调取的数据："), body))
        story.extend(p(line, detail) for line in view.records)
    if view.legal_basis:
        story.append(p(view.legal_basis, body))
    story.append(p(view.remedies, body))
    date = _("%(y)s年%(m)s月%(d)s日") % {
        "y": view.issued_on.year,
        "m": view.issued_on.month,
        "d": view.issued_on.day,
    }
    story += [
        Spacer(1, 14 * mm),
        p(view.issuer, right),
        p(date, right),
        Spacer(1, 10 * mm),
        p(
            _("本决定书通过一网通办平台送达，办件编号 %(case)s。") % {"case": view.case_number},
            small,
        ),
    ]
    doc.build(story)
    return out.getvalue()
