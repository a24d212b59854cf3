"""Decide a file's type from its first bytes (never from its name)."""
from __future__ import annotations

from .types import ExtractionError

SUPPORTED = ("pdf", "png", "jpeg", "tiff", "webp", "heic")

_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}


def sniff(data: bytes) -> str:
    """Return one of SUPPORTED, or raise ExtractionError("unsupported_type")."""
    head = data[:1024]
    if b"%PDF-" in head:  # PDF readers accept junk before the header
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "tiff"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _HEIF_BRANDS:
            return "heic"
        if brand in (b"avif", b"avis"):
            raise ExtractionError("unsupported_type", "AVIF images are not supported; please upload a PDF, JPEG or PNG.")
        raise ExtractionError("unsupported_type", "This looks like a video or other media file, not an invoice document.")
    raise ExtractionError("unsupported_type", f"Unsupported file type ({describe(head)}); please upload a PDF, JPEG, PNG, TIFF or WEBP file.")


def describe(head: bytes) -> str:
    """A short human name for common files we do not read."""
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "a ZIP archive or Office document such as .docx/.xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "an old Microsoft Office document"
    if head.startswith(b"MZ"):
        return "a Windows program"
    if head.startswith(b"\x7fELF"):
        return "a program"
    if head.startswith(b"GIF8"):
        return "a GIF image"
    if head.startswith(b"BM"):
        return "a BMP image"
    if head.startswith(b"{\\rtf"):
        return "an RTF document"
    try:
        head.decode("utf-8")
        return "plain text or HTML"
    except UnicodeDecodeError:
        return "unknown binary data"
