"""PDF text layer: words, boxes in points, pages, and geometric row grouping."""
from extractors.pages import assign_lines, read_pages
from extractors.pdf_text import garbage_reason
from extractors.types import Word
from pages_helpers import text_pdf


def test_text_pdf_words_and_boxes():
    data = text_pdf([[(72, 100, "Rechnung Nr. 2024-17", 12), (72, 130, "Datum: 14. März 2024", 12)]])
    (page,) = read_pages(data)
    assert page.source == "text" and page.rotation == 0
    assert (round(page.width), round(page.height)) == (595, 842)
    assert [w.text for w in page.words] == ["Rechnung", "Nr.", "2024-17", "Datum:", "14.", "März", "2024"]
    first = page.words[0]
    assert abs(first.x0 - 72) < 0.5
    assert 85 < first.y0 < 100 < first.y1 < 104  # baseline 100 pt from the top
    assert first.x1 > first.x0 and first.conf == 1.0 and first.page == 0
    assert page.text() == "Rechnung Nr. 2024-17\nDatum: 14. März 2024"


def test_multi_page_pdf_keeps_page_indices():
    data = text_pdf([[(72, 100, "Seite eins", 12)], [(72, 100, "Seite zwei", 12)], [(72, 700, "drei", 12)]])
    pages = read_pages(data)
    assert [p.index for p in pages] == [0, 1, 2]
    assert [p.text() for p in pages] == ["Seite eins", "Seite zwei", "drei"]
    assert {w.page for w in pages[1].words} == {1}


def test_two_column_row_shares_one_line():
    # description left in 10 pt, amount far right in bold-size 13 pt, baselines 1 pt apart
    data = text_pdf([[
        (50, 200, "Physiotherapie Behandlung", 10),
        (480, 201, "120,50", 13),
        (50, 216, "Manuelle Therapie", 10),
        (480, 216, "85,00", 10),
        (50, 240, "Gesamtbetrag", 10),
        (480, 240.5, "205,50", 12),
    ]])
    lines = [[w.text for w in ws] for ws in read_pages(data)[0].lines()]
    assert lines == [["Physiotherapie", "Behandlung", "120,50"], ["Manuelle", "Therapie", "85,00"],
                     ["Gesamtbetrag", "205,50"]]


def test_lines_are_numbered_top_to_bottom():
    data = text_pdf([[(300, 500, "unten", 12), (72, 100, "oben", 12), (72, 300, "mitte", 12)]])
    page = read_pages(data)[0]
    assert {w.text: w.line for w in page.words} == {"oben": 0, "mitte": 1, "unten": 2}


def test_assign_lines_tight_rows_stay_apart():
    # 10 px high words with 2 px gaps: three rows, not one
    words = [Word(t, x, y, x + 40, y + 10) for t, x, y in
             [("a", 0, 0), ("b", 500, 1), ("c", 0, 12), ("d", 500, 12), ("e", 0, 24), ("f", 500, 23)]]
    assign_lines(words)
    assert [w.line for w in words] == [0, 0, 1, 1, 2, 2]


def test_assign_lines_tall_word_joins_its_row_only():
    words = [Word("small", 0, 100, 50, 110), Word("BIG", 300, 92, 400, 118), Word("next", 0, 125, 40, 135)]
    assign_lines(words)
    assert words[0].line == words[1].line != words[2].line


def test_garbage_text_layer_detection():
    def ws(*texts):
        return [{"text": t} for t in texts]

    assert garbage_reason(ws("(cid:12)(cid:40)(cid:7)", "(cid:3)"), 0)
    assert garbage_reason(ws("\x01\x02\x03\x04", "\x05ab"), 0)
    assert garbage_reason(ws("p", "1"), 1)  # a scan with a stray text scrap
    assert garbage_reason([], 0) == "no text layer"
    assert garbage_reason(ws("Rechnung", "Nr.", "2024-17"), 0) == ""
    assert garbage_reason(ws("Rechnung", "Nr.", "2024-17", "Patient", "Müller"), 1) == ""


def test_remove_rules_erases_lines_not_letters():
    import numpy as np

    from extractors.preprocess import remove_rules

    img = np.full((600, 1500), 255, np.uint8)
    img[300:303, 50:1450] = 0  # table rule
    img[50:550, 700:703] = 0  # column rule
    img[100:145, 100:106] = 0  # a 45 px letter stem ('h', 'l')
    img[120:124, 100:140] = 0  # a short bar ('-')
    out = remove_rules(img)
    assert out[301, 50:1450].min() == 255 and out[50:550, 701].min() == 255
    assert (out[100:145, 100:106] == 0).all() and (out[120:124, 110:140] == 0).all()


def test_phone_photo_exif_orientation_is_applied():
    import io

    from PIL import Image

    from extractors.preprocess import to_gray

    im = Image.new("RGB", (300, 100), "white")
    exif = Image.Exif()
    exif[0x0112] = 6  # camera held sideways: display turned 90 degrees clockwise
    b = io.BytesIO()
    im.save(b, "JPEG", exif=exif.tobytes())
    assert to_gray(Image.open(io.BytesIO(b.getvalue()))).shape == (300, 100)


def test_transparent_png_becomes_white_background():
    from PIL import Image

    from extractors.preprocess import to_gray

    im = Image.new("RGBA", (10, 10), (0, 0, 0, 0))  # fully transparent black
    assert to_gray(im).min() == 255
