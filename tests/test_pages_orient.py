"""Orientation and script checks for pages where tesseract OSD fails or misleads."""
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from extractors import ocr, preprocess
from extractors.pages import read_pages
from pages_helpers import image_bytes, text_image

pytestmark = pytest.mark.ocr

THAI_FONT = "/usr/share/fonts/truetype/tlwg/Garuda.ttf"
RECEIPT = [("Rechnung Nr. 2024-0815", None), ("Fango Packung", "22,30"), ("Gesamtbetrag", "227,80")]


def rows(page):
    return [" ".join(w.text for w in ws) for ws in page.lines()]


def osd_fails(monkeypatch, script="Latin"):
    monkeypatch.setattr(ocr, "detect_orientation", lambda _img: ocr.Orientation(script=script))


def sparse_receipt():
    return text_image(lines=[d if a is None else (d, a) for d, a in RECEIPT], size=(1700, 420))


def thai_receipt():
    im = Image.new("L", (1400, 700), 255)
    d = ImageDraw.Draw(im)
    f = ImageFont.truetype(THAI_FONT, 44)
    for i, line in enumerate(["คลินิกกายภาพบำบัด", "ใบเสร็จรับเงิน / Receipt", "ค่ากายภาพบำบัด 1,200.00",
                              "รวมทั้งสิ้น / Total 1,200.00 บาท"]):
        d.text((80, 60 + i * 140), line, font=f, fill=0)
    return im


@pytest.mark.parametrize("turn", [90, 270])
def test_sideways_page_without_osd_is_turned(monkeypatch, turn):
    osd_fails(monkeypatch)
    (page,) = read_pages(image_bytes(sparse_receipt().rotate(turn, expand=True)))
    assert page.rotation == turn
    assert (page.width, page.height) == (1700, 420)
    assert "Gesamtbetrag 227,80" in rows(page) and "Fango Packung 22,30" in rows(page)


def test_upright_page_with_unsure_osd_is_probed_once(monkeypatch):
    osd_fails(monkeypatch)
    calls = []
    real = ocr.probe
    monkeypatch.setattr(ocr, "probe", lambda *a: calls.append(a[1:]) or real(*a))
    (page,) = read_pages(image_bytes(sparse_receipt()))
    assert page.rotation == 0 and "Gesamtbetrag 227,80" in rows(page)
    assert calls == [()]  # a good quick read: no other turns, no Thai probe


def test_upright_page_that_reads_well_skips_osd(monkeypatch):
    osd = []
    real = ocr.detect_orientation
    monkeypatch.setattr(ocr, "detect_orientation", lambda img: osd.append(1) or real(img))
    (page,) = read_pages(image_bytes(sparse_receipt()))
    assert page.rotation == 0 and "Gesamtbetrag 227,80" in rows(page)
    assert osd == []  # the quick upright read was good: no OSD pass
    (page,) = read_pages(image_bytes(sparse_receipt().rotate(180)))
    assert page.rotation == 180 and "Gesamtbetrag 227,80" in rows(page)
    assert osd == [1]  # upside down reads poorly, so OSD is asked


def test_thai_receipt_read_with_thai_model_when_osd_says_latin(monkeypatch):
    osd_fails(monkeypatch, script="Latin")
    (page,) = read_pages(image_bytes(thai_receipt()))
    text = rows(page)
    assert any(w.text == "ใบเสร็จรับเงิน" for w in page.words)
    assert any(r.startswith("รวม") and r.endswith("1,200.00 บาท") for r in text)


def test_looks_thai_tells_thai_from_poor_latin():
    thai_small = ocr.half_size(np.asarray(thai_receipt()))
    assert ocr.looks_thai(thai_small, ocr.probe(thai_small))
    blurry = np.asarray(text_image().resize((850, 575), Image.LANCZOS))  # German, small glyphs
    latin_small = ocr.half_size(blurry)
    assert not ocr.looks_thai(latin_small, ocr.probe(latin_small))



def test_broken_cell_borders_are_erased_but_tall_letters_kept():
    # a working-size binary page: row-high pieces of two cell borders stacked with 6 px
    # gaps (as a photo's threshold leaves them), one lone bar, and a big thin-stroke header
    im = Image.new("L", (1200, 600), 255)
    d = ImageDraw.Draw(im)
    d.text((40, 20), "Illi Klinik 1711", font=ImageFont.truetype(FONT_LIGHT, 110), fill=0)
    for x in (700, 1000):
        for i in range(4):
            d.rectangle((x, 250 + 76 * i, x + 3, 250 + 76 * i + 69), fill=0)
    d.rectangle((300, 300, 302, 380), fill=0)
    binary = np.asarray(im.point(lambda v: 255 if v > 128 else 0))
    out = preprocess.remove_bars(binary)
    assert (out[240:600, 690:1010] == 255).all()  # stacked pieces gone
    assert (out[300:381, 300:303] == 0).all()  # a single bar may be a glyph: kept
    assert (out[:200] == binary[:200]).all()  # header letters untouched


FONT_LIGHT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-ExtraLight.ttf"


def test_sure_but_wrong_osd_is_overruled_by_a_very_poor_read(monkeypatch):
    monkeypatch.setattr(ocr, "detect_orientation", lambda _img: ocr.Orientation(rotate=0, confidence=4.0))
    (page,) = read_pages(image_bytes(sparse_receipt().rotate(180)))
    assert page.rotation == 180 and "Gesamtbetrag 227,80" in rows(page)
