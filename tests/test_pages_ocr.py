"""Scans, photos and image-only PDF pages through preprocessing and tesseract."""
import numpy as np
import pytest
from PIL import Image, ImageFilter

from extractors import ocr
from extractors.pages import read_pages
from extractors.preprocess import find_skew
from extractors.types import ExtractionError
from pages_helpers import image_bytes, image_pdf, text_image

pytestmark = pytest.mark.ocr


def rows(page):
    return [" ".join(w.text for w in ws) for ws in page.lines()]


def assert_invoice_read(page):
    text = rows(page)
    assert "Gesamtbetrag 227,80" in text  # description and amount in different columns, one row
    assert "Manuelle Therapie 85,00" in text
    assert "Rechnungsdatum: 14. März 2024" in text  # German model chosen: umlaut kept


def test_scan_png_words_boxes_confidences():
    im = text_image()
    (page,) = read_pages(image_bytes(im))
    assert page.source == "ocr" and page.rotation == 0 and page.skew == 0.0
    assert (page.width, page.height) == im.size
    assert_invoice_read(page)
    for w in page.words:
        assert w.text.strip() and 0.0 <= w.conf <= 1.0
        assert 0 <= w.x0 < w.x1 <= page.width and 0 <= w.y0 < w.y1 <= page.height
    total = next(w for w in page.words if w.text == "227,80")
    crop = np.asarray(im)[int(total.y0):int(total.y1), int(total.x0):int(total.x1)]
    assert crop.min() < 100  # the box really sits on the printed amount
    assert total.conf > 0.8


@pytest.mark.parametrize("turn", [90, 180])
def test_rotated_scan_is_turned_upright(turn):
    im = text_image().rotate(turn, expand=True)
    (page,) = read_pages(image_bytes(im, "JPEG", quality=90))
    assert page.rotation == turn  # PIL turned it counter-clockwise; we turned it back clockwise
    assert (page.width, page.height) == (1700, 1150)  # original turned upright
    assert_invoice_read(page)


def test_skewed_scan_is_deskewed_and_rows_kept():
    im = text_image().rotate(4, expand=True, fillcolor=255, resample=Image.BICUBIC)
    (page,) = read_pages(image_bytes(im))
    assert -4.6 < page.skew < -3.4
    assert_invoice_read(page)
    assert (page.width, page.height) == im.size  # boxes stay in the original image's pixels
    total = next(w for w in page.words if w.text == "227,80")
    crop = np.asarray(im)[int(total.y0):int(total.y1), int(total.x0):int(total.x1)]
    assert crop.min() < 100


def test_find_skew_measures_small_angles():
    base = text_image()
    for angle in (-6, 2.5):
        grey = np.asarray(base.rotate(angle, expand=True, fillcolor=255, resample=Image.BICUBIC))
        assert abs(find_skew(grey) + angle) < 0.35
    assert find_skew(np.asarray(base)) == 0.0


def test_small_blurry_photo_is_upscaled():
    im = text_image().resize((600, 406), Image.LANCZOS).filter(ImageFilter.GaussianBlur(0.6))
    (page,) = read_pages(image_bytes(im.convert("RGB"), "JPEG", quality=80))
    assert (page.width, page.height) == (600, 406)
    text = " ".join(rows(page))
    assert "227,80" in text and "Gesamtbetrag" in text


def test_scrap_of_text_layer_on_scan_still_ocrs():
    (page,) = read_pages(image_pdf([text_image()], extra_text="p1"))
    assert page.source == "ocr" and "Gesamtbetrag 227,80" in rows(page)


def test_mixed_pdf_reads_text_and_scanned_pages():
    import io

    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    b = io.BytesIO()
    c = canvas.Canvas(b, pagesize=(595, 842))
    c.drawString(72, 742, "Seite eins mit Text")
    c.showPage()
    c.drawImage(ImageReader(text_image().convert("RGB")), 0, 842 - 402, 595, 402)  # top of page
    c.showPage()
    c.save()
    first, second = read_pages(b.getvalue())
    assert first.source == "text" and first.text() == "Seite eins mit Text"
    assert second.source == "ocr"
    assert (round(second.width), round(second.height)) == (595, 842)  # PDF points like text pages
    assert_invoice_read(second)
    assert all(0 <= w.y0 < w.y1 < 402 for w in second.words)  # the picture fills the top 402 pt
    assert {w.page for w in second.words} == {1}


def test_multi_page_tiff(monkeypatch):
    calls = []
    real = ocr.choose_language
    monkeypatch.setattr(ocr, "choose_language", lambda *a, **k: calls.append(1) or real(*a, **k))
    a = text_image()
    b = text_image(lines=[("Röntgenaufnahme Thorax", "64,12"), "Seite 2 von 2"] * 2, size=(1700, 500))
    data = image_bytes(a, "TIFF", save_all=True, append_images=[b], compression="tiff_lzw")
    pages_ = read_pages(data)
    assert [p.index for p in pages_] == [0, 1]
    assert "Röntgenaufnahme Thorax 64,12" in rows(pages_[1])
    assert {w.page for w in pages_[1].words} == {1}
    assert len(calls) == 1  # page 1's language (German) is reused for page 2
    with pytest.raises(ExtractionError) as e:
        read_pages(data, max_pages=1)
    assert e.value.code == "too_large"


def test_blank_scan_is_no_text_found():
    with pytest.raises(ExtractionError) as e:
        read_pages(image_bytes(Image.new("L", (1200, 1600), 255)))
    assert e.value.code == "no_text_found"


def test_thai_page_uses_thai_model():
    font = "/usr/share/fonts/truetype/tlwg/Garuda.ttf"
    from PIL import ImageDraw, ImageFont

    im = Image.new("L", (1700, 900), 255)
    d = ImageDraw.Draw(im)
    f = ImageFont.truetype(font, 44)
    lines = ["โรงพยาบาลกรุงเทพ", "ใบเสร็จรับเงิน เลขที่ 2567", "ค่ารักษาพยาบาล ค่ายา ค่าห้อง", "รวมทั้งสิ้น 3,450.00 บาท",
             "ผู้ป่วย นายสมชาย ใจดี", "วันที่ 12 มีนาคม 2567"]
    for i, line in enumerate(lines):
        d.text((80, 60 + i * 120), line, font=f, fill=0)
    grey = np.asarray(im)
    assert ocr.detect_orientation(grey).script == "Thai"
    (page,) = read_pages(image_bytes(im))
    total_row = next(r for r in rows(page) if "3,450.00" in r)
    assert total_row.startswith("รวม") and total_row.endswith("3,450.00 บาท")  # Thai words glued back
    assert any(w.text == "โรงพยาบาลกรุงเทพ" for w in page.words)


def test_sparse_upside_down_page_is_flipped():
    # too little text for tesseract OSD: the reader compares upright and 180-degree reads
    from PIL import ImageDraw, ImageFont

    im = Image.new("L", (1200, 1600), 255)
    d = ImageDraw.Draw(im)
    f = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 40)
    d.text((100, 200), "Apotheke am Markt", font=f, fill=0)
    d.text((100, 280), "Summe EUR 12,50", font=f, fill=0)
    assert ocr.detect_orientation(np.asarray(im.rotate(180))).confidence == 0  # OSD gives up
    (page,) = read_pages(image_bytes(im.rotate(180)))
    assert page.rotation == 180
    assert rows(page) == ["Apotheke am Markt", "Summe EUR 12,50"]


def test_heic_photo_is_read():
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    data = image_bytes(text_image(lines=[("Gesamtbetrag", "227,80"), "Rechnungsdatum: 14. März 2024"],
                                  size=(1700, 400)).convert("RGB"), "HEIF", quality=90)
    assert data[4:12] == b"ftypheic"
    (page,) = read_pages(data)
    assert "Gesamtbetrag 227,80" in rows(page)


def test_table_with_cell_borders_keeps_every_row():
    # cell borders 4 px from the text: without rule removal tesseract reads almost nothing
    from PIL import ImageDraw, ImageFont

    im = Image.new("L", (1700, 900), 255)
    d = ImageDraw.Draw(im)
    f = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 34)
    items = [("Azithromycin 250 mg", "55,00"), ("Urinalysis", "339,00"), ("Ciprofloxacin 500 mg", "88,50"),
             ("Ultrasound abdomen", "51,00"), ("Nursing care", "38,45")]
    for i, (desc, amount) in enumerate(items):
        y = 100 + 44 * i
        d.rectangle((60, y - 4, 1300, y + 40), outline=0, width=3)
        d.rectangle((1300, y - 4, 1600, y + 40), outline=0, width=3)
        d.text((68, y), desc, font=f, fill=0)
        d.text((1590 - d.textlength(amount, font=f), y), amount, font=f, fill=0)
    found = rows(read_pages(image_bytes(im))[0])
    for desc, amount in items:
        assert f"{desc} {amount}" in found
