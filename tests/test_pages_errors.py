"""Bad inputs give their exact contract error code, without decoding huge images."""
import io
import zipfile

import pytest
from PIL import Image

from extractors import pages, preprocess
from extractors.pages import read_pages
from extractors.sniff import sniff
from extractors.types import ExtractionError
from pages_helpers import image_bytes, png_header, text_image, tiff_header, text_pdf


def code_of(data: bytes, **kw) -> str:
    with pytest.raises(ExtractionError) as e:
        read_pages(data, **kw)
    assert e.value.message  # readable message for the handler
    return e.value.code


def one_page_pdf():
    return text_pdf([[(72, 100, "Rechnung Nr. 17 Betrag 12,50 EUR", 12)]])


def test_empty_bytes():
    assert code_of(b"") == "empty_document"


def test_over_max_bytes():
    assert code_of(one_page_pdf(), max_bytes=100) == "too_large"


def test_truncated_pdf():
    data = one_page_pdf()
    assert code_of(data[: len(data) // 2]) == "unreadable_file"
    assert code_of(b"%PDF-1.7\n1 0 obj garbage") == "unreadable_file"


def test_password_pdf_is_encrypted():
    data = text_pdf([[(72, 100, "Geheim 12,50", 12)]], encrypt="secret")
    assert code_of(data) == "encrypted_pdf"


def test_pdf_encrypted_with_empty_user_password_is_read():
    from reportlab.lib import pdfencrypt

    data = text_pdf([[(72, 100, "Offen 12,50", 12)]], encrypt=pdfencrypt.StandardEncryption("", ownerPassword="own"))
    assert b"/Encrypt" in data
    assert [w.text for w in read_pages(data)[0].words] == ["Offen", "12,50"]


def test_too_many_pdf_pages():
    data = text_pdf([[(72, 100, f"Seite {i}", 12)] for i in range(4)])
    assert code_of(data, max_pages=3) == "too_large"
    assert len(read_pages(data, max_pages=4)) == 4


def test_exe_renamed_pdf_is_unsupported():
    exe = b"MZ\x90\x00\x03" + b"\x00" * 200 + b"This program cannot be run in DOS mode"
    assert code_of(exe) == "unsupported_type"


def test_docx_is_unsupported():
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document>Rechnung 12,50</w:document>")
    with pytest.raises(ExtractionError) as e:
        read_pages(b.getvalue())
    assert e.value.code == "unsupported_type"
    assert "docx" in e.value.message


def test_plain_text_is_unsupported():
    assert code_of("Rechnung 12,50 EUR\n".encode()) == "unsupported_type"


def test_sniff_by_content_not_name():
    im = Image.new("L", (20, 20), 255)
    assert sniff(image_bytes(im, "PNG")) == "png"
    assert sniff(image_bytes(im, "JPEG")) == "jpeg"
    assert sniff(image_bytes(im, "TIFF")) == "tiff"
    assert sniff(image_bytes(im, "WEBP")) == "webp"
    assert sniff(b"junk\n%PDF-1.4\n") == "pdf"
    assert sniff(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00") == "heic"
    with pytest.raises(ExtractionError):
        sniff(image_bytes(im, "GIF"))


def test_heic_without_library_says_so(monkeypatch):
    monkeypatch.setattr(pages, "_heif_ready", False)
    with pytest.raises(ExtractionError) as e:
        read_pages(b"\x00\x00\x00\x18ftypheic" + b"\x00" * 64)
    assert e.value.code == "unsupported_type"
    assert "HEIC" in e.value.message


def test_truncated_png():
    data = image_bytes(text_image(), "PNG")
    assert code_of(data[: len(data) // 3]) == "unreadable_file"


def test_zero_size_image_header():
    assert code_of(png_header(0, 0)) == "unreadable_file"


def test_huge_header_rejected_before_decoding(monkeypatch):
    def no_decode(_im):
        raise AssertionError("pixels must not be decoded")

    monkeypatch.setattr(preprocess, "to_gray", no_decode)
    assert code_of(png_header(100_000, 100_000)) == "too_large"
    assert code_of(png_header(3000, 3000), max_pixels=1_000_000) == "too_large"


def test_huge_tiff_header_rejected(monkeypatch):
    monkeypatch.setattr(preprocess, "to_gray", lambda _im: (_ for _ in ()).throw(AssertionError("decoded")))
    assert code_of(tiff_header(60_000, 60_000)) == "too_large"


def test_header_checks_let_normal_sizes_through():
    # the same tiny-payload files with a modest size reach decoding (and fail there, as truncated)
    assert code_of(png_header(400, 300)) == "unreadable_file"


def test_unknown_failure_becomes_internal_error(monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("bug")

    monkeypatch.setattr(pages, "read_text_layer", boom)
    assert code_of(one_page_pdf()) == "internal_error"
