"""Fixture builders for the page-reading tests (PDFs with reportlab, images with PIL)."""
from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

INVOICE_LINES = [
    "Praxis Dr. Müller, Hauptstraße 12, 80331 München",
    "Rechnung Nr. 2024-0815",
    "Rechnungsdatum: 14. März 2024",
    "Patient: Jürgen Schneider, geb. 03.05.1980",
    ("Physiotherapie Behandlung", "120,50"),
    ("Manuelle Therapie", "85,00"),
    ("Fango Packung", "22,30"),
    ("Gesamtbetrag", "227,80"),
    "Zahlbar innerhalb von 14 Tagen ohne Abzug.",
    "Bankverbindung: IBAN DE89 3704 0044 0532 0130 00",
]


def text_image(lines=INVOICE_LINES, size=(1700, 1150), font_px=40, left=80, right_edge=1600) -> Image.Image:
    """A clean 300-dpi-like scan: plain lines, (description, amount) pairs right-aligned."""
    im = Image.new("L", size, 255)
    d = ImageDraw.Draw(im)
    f = ImageFont.truetype(FONT, font_px)
    y = 60
    for line in lines:
        if isinstance(line, tuple):
            d.text((left, y), line[0], font=f, fill=0)
            d.text((right_edge - d.textlength(line[1], font=f), y), line[1], font=f, fill=0)
        else:
            d.text((left, y), line, font=f, fill=0)
        y += int(font_px * 2.2)
    return im


def image_bytes(im: Image.Image, fmt: str = "PNG", **kw) -> bytes:
    b = io.BytesIO()
    im.save(b, fmt, **kw)
    return b.getvalue()


def text_pdf(pages: list[list[tuple[float, float, str, float]]], encrypt=None) -> bytes:
    """PDF with a real text layer: per page a list of (x, y_from_top, text, size) in points."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    try:
        pdfmetrics.getFont("DejaVu")
    except KeyError:
        pdfmetrics.registerFont(TTFont("DejaVu", FONT))
    b = io.BytesIO()
    c = canvas.Canvas(b, pagesize=(595, 842), encrypt=encrypt)
    for items in pages:
        for x, y, text, size in items:
            c.setFont("DejaVu", size)
            c.drawString(x, 842 - y, text)
        c.showPage()
    c.save()
    return b.getvalue()


def image_pdf(images: list[Image.Image], extra_text: str | None = None) -> bytes:
    """PDF whose pages are only pictures (a scanned PDF); optional tiny text layer."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    b = io.BytesIO()
    c = canvas.Canvas(b, pagesize=(595, 842))
    for im in images:
        w = 595
        h = w * im.height / im.width
        c.drawImage(ImageReader(im.convert("RGB")), 0, 842 - h, w, h)
        if extra_text:
            c.setFont("Helvetica", 6)
            c.drawString(10, 10, extra_text)
        c.showPage()
    c.save()
    return b.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A PNG signature and IHDR claiming the given size, with no pixel data at all."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00\xff" * 4)  # far fewer pixels than claimed
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def tiff_header(width: int, height: int) -> bytes:
    """A one-strip grey TIFF claiming the given size, with only a few bytes of pixels."""
    import struct

    entries = [(256, 4, 1, width), (257, 4, 1, height), (258, 3, 1, 8), (259, 3, 1, 1), (262, 3, 1, 1),
               (273, 4, 1, 8 + 2 + 12 * 8 + 4), (277, 3, 1, 1), (278, 4, 1, height), (279, 4, 1, 16)]
    ifd = struct.pack("<H", len(entries)) + b"".join(struct.pack("<HHII", *e) for e in entries) + b"\0\0\0\0"
    return b"II*\x00" + struct.pack("<I", 8) + ifd + b"\xff" * 16
