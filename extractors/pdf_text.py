"""PDF text layer (pdfplumber) and page rendering (pypdfium2) for OCR fallback."""
from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass

import numpy as np
import pdfplumber
from pdfplumber.utils.exceptions import PdfminerException

from .types import ExtractionError

log = logging.getLogger(__name__)
for _name in ("pdfminer", "pdfplumber"):
    logging.getLogger(_name).setLevel(logging.ERROR)

OCR_DPI = 300
_CID = re.compile(r"\(cid:\d+\)")


@dataclass
class TextPage:
    index: int
    width: float  # PDF points
    height: float
    words: list[dict]  # pdfplumber words: text, x0, top, x1, bottom
    needs_ocr: bool
    reason: str = ""


def _is_encryption(exc: BaseException) -> bool:
    seen = [exc] + list(getattr(exc, "args", ()))
    names = " ".join(type(e).__name__ for e in seen if isinstance(e, BaseException))
    return "Password" in names or "Encryption" in names


def garbage_reason(words: list[dict], n_images: int) -> str:
    """Why a text layer should not be trusted ('' when it is fine)."""
    text = "".join(w["text"] for w in words)
    if not text:
        return "no text layer"
    cid = sum(len(m) for m in _CID.findall(text))
    if cid > 0.3 * len(text):
        return "unmapped glyphs (cid)"
    rest = _CID.sub("", text)
    if rest:
        bad = sum(1 for c in rest if not c.isprintable() or c == "\ufffd" or 0xE000 <= ord(c) <= 0xF8FF)
        if bad > 0.3 * len(rest):
            return "non-printable characters"
    good = sum(1 for c in rest if c.isalnum())
    if n_images and good < 20:
        return "image page with almost no text"
    return ""


def read_text_layer(data: bytes, max_pages: int) -> list[TextPage]:
    """Words of every page; pages with an empty or garbage layer get needs_ocr=True."""
    try:
        pdf = pdfplumber.open(io.BytesIO(data))  # an empty user password is tried automatically
    except PdfminerException as e:
        if _is_encryption(e):
            raise ExtractionError("encrypted_pdf", "The PDF is password-protected; please upload it without a password.") from None
        raise ExtractionError("unreadable_file", "The PDF file is damaged or incomplete and cannot be opened.") from None
    except Exception as e:
        if _is_encryption(e):
            raise ExtractionError("encrypted_pdf", "The PDF is password-protected; please upload it without a password.") from None
        raise ExtractionError("unreadable_file", "The PDF file is damaged or incomplete and cannot be opened.") from None
    with pdf:
        try:
            n = len(pdf.pages)
        except Exception:
            raise ExtractionError("unreadable_file", "The PDF file is damaged: its page list cannot be read.") from None
        if n == 0:
            raise ExtractionError("unreadable_file", "The PDF file contains no pages.")
        if n > max_pages:
            raise ExtractionError("too_large", f"The PDF has {n} pages; at most {max_pages} pages can be processed per document.")
        out = []
        for i, page in enumerate(pdf.pages):
            try:
                words = [w for w in page.extract_words(keep_blank_chars=False, use_text_flow=False)
                         if w["text"].strip()]
                n_img = len(page.images)
            except Exception as e:  # one broken page content stream: try OCR on it
                if _is_encryption(e):
                    raise ExtractionError("encrypted_pdf", "The PDF is password-protected; please upload it without a password.") from None
                log.warning("text layer of page %d unreadable: %s", i, e)
                words, n_img = [], 1
            reason = garbage_reason(words, n_img)
            out.append(TextPage(i, float(page.width), float(page.height), words, bool(reason), reason))
            page.flush_cache()
        return out


def render_page(data: bytes, index: int, max_pixels: int, dpi: int = OCR_DPI) -> tuple[np.ndarray, float]:
    """Grey render of one page; returns (image, pixels per PDF point)."""
    import pypdfium2 as pdfium  # pdfplumber's own renderer; faster than pdftoppm here

    try:
        doc = pdfium.PdfDocument(data)
    except Exception:
        raise ExtractionError("unreadable_file", "The PDF page could not be rendered for text recognition.") from None
    try:
        page = doc[index]
        w, h = page.get_size()
        scale = dpi / 72.0
        if w * h * scale * scale > max_pixels:
            scale = (max_pixels / float(w * h)) ** 0.5
        if w * scale < 1 or h * scale < 1:
            raise ExtractionError("unreadable_file", "A PDF page has no area.")
        bitmap = page.render(scale=scale, grayscale=True)
        img = np.array(bitmap.to_numpy(), copy=True)
        if img.ndim == 3:
            img = img[..., 0] if img.shape[2] == 1 else np.asarray(img[..., :3].mean(axis=2), dtype=np.uint8)
        return img, scale
    except ExtractionError:
        raise
    except Exception:
        raise ExtractionError("unreadable_file", "The PDF page could not be rendered for text recognition.") from None
    finally:
        doc.close()
