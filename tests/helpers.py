"""Small fixtures shared by tests: invoices rendered on the fly, never read from samples/."""
from __future__ import annotations

import io

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def text_pdf(lines: list[str], pages: int = 1) -> bytes:
    """A PDF with a real text layer: `lines` on the first page, more pages blank but for a footer."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    if "DejaVu" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVu", FONT))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for p in range(pages):
        c.setFont("DejaVu", 11)
        y = 800
        for line in (lines if p == 0 else [f"Page {p + 1}"]):
            c.drawString(60, y, line)
            y -= 18
        c.showPage()
    c.save()
    return buf.getvalue()


GERMAN_PHYSIO = [
    "Physiotherapie Praxis Müller",
    "Hauptstraße 12, 10115 Berlin, Deutschland",
    "Tel. +49 30 1234567   USt-IdNr. DE123456789",
    "Rechnung Nr. 2025-0147",
    "Rechnungsdatum: 14.03.2025",
    "Patient: Anna Jansen",
    "Krankengymnastik (KG) 6 x 32,50 EUR          195,00 EUR",
    "Manuelle Therapie 2 x 40,00 EUR               80,00 EUR",
    "Gesamtbetrag                                 275,00 EUR",
]
