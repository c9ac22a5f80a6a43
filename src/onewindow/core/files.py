"""Uploaded files: their real type from their content (magic bytes, never the browser's
content type or the file name), shared by case materials and hotline attachments."""

from __future__ import annotations

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
EXTENSIONS = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png"}
TYPE_LABELS = {PDF: "PDF", JPEG: "JPG", PNG: "PNG"}


def sniff_content_type(head: bytes) -> str | None:
    """The file's real type from its first bytes (``None``: none the platform accepts)."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    return None
