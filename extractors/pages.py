"""read_pages: file bytes -> list[Page] of words with boxes, confidences and row indices.

Units: PDF pages (text layer or OCR) use PDF points; image files use pixels of the
original image after EXIF orientation and after turning it upright by Page.rotation.
Page.image is left None: the review app renders pages from the original file, and a
300 dpi grey copy per page would cost ~9 MB of memory each.

Decisions: PDFs encrypted with an empty user password open without asking and are read;
any other password -> encrypted_pdf. A PDF page bigger than max_pixels at 300 dpi is
rendered at a lower resolution instead of being refused. Image sizes are checked from
the header before decoding. HEIC needs pillow-heif (else unsupported_type).
"""
from __future__ import annotations

import io
import logging

import numpy as np
from PIL import Image, ImageSequence, UnidentifiedImageError

from . import ocr, preprocess
from .pdf_text import read_text_layer, render_page
from .sniff import sniff
from .types import ExtractionError, Page, Word

log = logging.getLogger(__name__)

MAX_BYTES = 50 * 1024 * 1024
_heif_ready: bool | None = None


def read_pages(data: bytes, *, max_pages: int = 50, max_pixels: int = 100_000_000,
               max_bytes: int = MAX_BYTES) -> list[Page]:
    """Read every page of a PDF or image. Raises ExtractionError with a contract code."""
    try:
        pages = _read(data, max_pages, max_pixels, max_bytes)
    except ExtractionError:
        raise
    except MemoryError:
        raise ExtractionError("too_large", "The document is too large to process.") from None
    except Exception as e:  # last resort: never let a raw exception out
        log.exception("read_pages failed")
        raise ExtractionError("internal_error", f"Unexpected error while reading the document ({type(e).__name__}).") from None
    if not any(p.words for p in pages):
        raise ExtractionError("no_text_found", "No readable text was found in the document, even with text recognition.")
    return pages


def _read(data: bytes, max_pages: int, max_pixels: int, max_bytes: int) -> list[Page]:
    if not data:
        raise ExtractionError("empty_document", "The uploaded file is empty (0 bytes).")
    if len(data) > max_bytes:
        raise ExtractionError("too_large", f"The file is {len(data) / 1048576:.1f} MB; the limit is {max_bytes / 1048576:.0f} MB.")
    kind = sniff(data)
    if kind == "pdf":
        return _read_pdf(data, max_pages, max_pixels)
    return _read_image(data, kind, max_pages, max_pixels)


# ---- PDF -------------------------------------------------------------------

def _read_pdf(data: bytes, max_pages: int, max_pixels: int) -> list[Page]:
    pages, hint = [], {}
    for tp in read_text_layer(data, max_pages):
        if not tp.needs_ocr:
            words = [Word(w["text"], float(w["x0"]), float(w["top"]), float(w["x1"]), float(w["bottom"]),
                          page=tp.index, conf=1.0) for w in tp.words]
            assign_lines(words)
            pages.append(Page(tp.index, tp.width, tp.height, words, "text"))
            continue
        img, px_per_pt = render_page(data, tp.index, max_pixels)
        page = _ocr_page(img, tp.index, hint)
        _scale_page(page, 1.0 / px_per_pt)  # back to PDF points, like text-layer pages
        if not page.words and tp.words:  # OCR found nothing: keep what the layer had
            words = [Word(w["text"], float(w["x0"]), float(w["top"]), float(w["x1"]), float(w["bottom"]),
                          page=tp.index, conf=0.3) for w in tp.words if "(cid:" not in w["text"]]
            assign_lines(words)
            page = Page(tp.index, tp.width, tp.height, words, "text")
        pages.append(page)
    return pages


def _scale_page(page: Page, f: float) -> None:
    page.width *= f
    page.height *= f
    for w in page.words:
        w.x0, w.y0, w.x1, w.y1 = w.x0 * f, w.y0 * f, w.x1 * f, w.y1 * f


# ---- images ----------------------------------------------------------------

def _heif_available() -> bool:
    global _heif_ready
    if _heif_ready is None:
        try:
            import pillow_heif

            pillow_heif.register_heif_opener()
            _heif_ready = True
        except Exception:
            _heif_ready = False
    return _heif_ready


def _read_image(data: bytes, kind: str, max_pages: int, max_pixels: int) -> list[Page]:
    if kind == "heic" and not _heif_available():
        raise ExtractionError("unsupported_type", "HEIC photos are not supported here; please upload a JPEG, PNG or PDF.")
    # Image.open reads only the header; sizes are checked before any pixel is decoded.
    # PIL's own global bomb limit is left alone (thread safety); it only adds a second guard.
    try:
        im = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        raise ExtractionError("too_large", f"The image has more than {max_pixels:,} pixels.") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise ExtractionError("unreadable_file", "The image file is damaged or incomplete and cannot be opened.") from None
    with im:
        _check_size(im, max_pixels)
        n = getattr(im, "n_frames", 1) if kind == "tiff" else 1
        if n > max_pages:
            raise ExtractionError("too_large", f"The image has {n} pages; at most {max_pages} can be processed.")
        pages, hint = [], {}
        frames = ImageSequence.Iterator(im) if kind == "tiff" else [im]
        for i, frame in enumerate(frames):
            _check_size(frame, max_pixels)
            try:
                gray = preprocess.to_gray(frame)  # decodes the pixels
            except Image.DecompressionBombError:
                raise ExtractionError("too_large", f"The image has more than {max_pixels:,} pixels.") from None
            except (OSError, SyntaxError, ValueError, EOFError):
                raise ExtractionError("unreadable_file", "The image file is damaged or incomplete and cannot be decoded.") from None
            pages.append(_ocr_page(gray, i, hint))
        return pages


def _check_size(im: Image.Image, max_pixels: int) -> None:
    w, h = im.size
    if w <= 0 or h <= 0:
        raise ExtractionError("unreadable_file", f"The image has no pixels ({w}x{h}).")
    if w * h > max_pixels:
        raise ExtractionError("too_large", f"The image is {w}x{h} pixels; at most {max_pixels:,} pixels are accepted.")


# ---- OCR ---------------------------------------------------------------------

def _ocr_page(gray: np.ndarray, index: int, hint: dict | None = None) -> Page:
    """Preprocess and OCR one grey image; boxes in upright original pixels.

    Most pages are upright Latin text: a quick English read of a half-size copy of the page
    as it comes (the probe) settles that, and its words pick the language. Only a page that
    reads poorly that way pays for tesseract's OSD (a third of a page's OCR time): its
    answer turns the page, and when OSD was unsure and the read is still poor (or very poor
    after a sure OSD), the other three turns are tried on the same small copy and the best
    kept; a poor read is also tried with the Thai model (OSD often misnames the script).
    `hint` is shared by the pages of one document: once a page's language is clear
    (3+ keyword hits) later pages skip the language-guessing pass.
    """
    hint = {} if hint is None else hint
    prep = preprocess.prepare(gray, orient=None)
    small = ocr.half_size(prep.image)
    probe = ocr.probe(small)
    script = "Latin"
    if probe.quality < GOOD_PROBE:
        prep, probe, script = _reorient(gray, prep, small, probe)
    words, _lang = _read_prepared(prep, index, script, hint, probe.words if script != "Thai" else None)
    for w in words:
        w.x0, w.y0, w.x1, w.y1 = preprocess.map_box(prep.to_upright, w.x0, w.y0, w.x1, w.y1)
    w, h = prep.upright_size
    return Page(index, float(w), float(h), words, "ocr", rotation=prep.rotation, skew=prep.skew)


def _reorient(gray: np.ndarray, prep: preprocess.Prepared, small: np.ndarray,
              probe: ocr.Probe) -> tuple[preprocess.Prepared, ocr.Probe, str]:
    """A page that read poorly upright: OSD, then other turns and the Thai check.
    Returns (prepared page, its best probe, script)."""
    o = ocr.detect_orientation(preprocess.rescale(gray)[0])
    script, sure = o.script, o.confidence > 0
    if o.rotate:
        prep = preprocess.prepare(gray, orient=lambda _img: o.rotate)
        small = ocr.half_size(prep.image)
        if script != "Thai":
            probe = ocr.probe(small)
    if script == "Thai":
        return prep, probe, script
    best, turn = probe, 0
    doubt = probe.quality < (BAD_PROBE if sure else POOR_PROBE)
    if doubt and (prep.image < 128).mean() > 0.001:
        for k in (180, 90, 270):
            other = ocr.probe(preprocess.turn(small, k))
            if other.score > 1.3 * best.score + 1 and other.quality > best.quality + 0.1:
                best, turn = other, k
    if turn:
        rotation = (prep.rotation + turn) % 360
        prep = preprocess.prepare(gray, orient=lambda _img: rotation)
        small = preprocess.turn(small, turn)
    if best.quality < GOOD_PROBE and ocr.looks_thai(small, best):
        script = "Thai"
    return prep, best, script


GOOD_PROBE = 0.8  # upright Latin pages read 0.84-0.91 on the quick pass; Thai pages 0.54-0.76 in eng
POOR_PROBE = 0.6  # pages read turned away from upright score 0.02-0.31 on the quick pass
BAD_PROBE = 0.45  # below this even a sure OSD answer is checked


def _read_prepared(prep: preprocess.Prepared, index: int, script: str, hint: dict,
                   probe_words: list | None = None) -> tuple[list[Word], str]:
    """OCR words in working-image pixels, with line indices; returns (words, tesseract lang)."""
    if script != "Thai" and hint.get("lang"):
        lang = hint["lang"]
    else:
        lang, _code, hits = ocr.choose_language(prep.image, script, words=probe_words)
        if hits >= 3:
            hint["lang"] = lang
    words = [Word(ow.text, ow.x0, ow.y0, ow.x1, ow.y1, page=index, conf=ow.conf)
             for ow in ocr.read_words(prep.image, lang=lang)]
    if script == "Thai":
        words = drop_mark_noise(words)
    assign_lines(words)  # rows are level in the deskewed working image, so group there
    if script == "Thai":
        words = join_thai(words)
    return words, lang


def _is_thai(text: str) -> bool:
    return any("\u0e00" <= c <= "\u0e7f" for c in text)


def drop_mark_noise(words: list[Word]) -> list[Word]:
    """On Thai pages tesseract reads stray vowel/tone marks above a line as tiny fake
    words ('eo', '«a'); drop words under half the median height that hold no digit."""
    if len(words) < 5:
        return words
    med = float(np.median([w.y1 - w.y0 for w in words]))
    return [w for w in words if (w.y1 - w.y0) >= 0.5 * med or any(c.isdigit() for c in w.text)]


def join_thai(words: list[Word]) -> list[Word]:
    """Tesseract returns Thai (written without spaces) as one 'word' per glyph cluster;
    glue neighbours on one row back together when the gap is under a third of the height."""
    out: list[Word] = []
    for w in sorted(words, key=lambda w: (w.line, w.x0)):
        p = out[-1] if out else None
        if (p is not None and p.line == w.line and _is_thai(p.text[-1]) and _is_thai(w.text[0])
                and w.x0 - p.x1 < 0.35 * max(p.y1 - p.y0, w.y1 - w.y0)):
            out[-1] = Word(p.text + w.text, min(p.x0, w.x0), min(p.y0, w.y0), max(p.x1, w.x1),
                           max(p.y1, w.y1), page=p.page, conf=min(p.conf, w.conf), line=p.line)
        else:
            out.append(w)
    return out


# ---- rows --------------------------------------------------------------------

def assign_lines(words: list[Word], min_overlap: float = 0.5) -> None:
    """Give words on the same visual row one line index (0 = top), across the full page width.

    A word joins the row whose vertical band it overlaps most, if the overlap covers at
    least `min_overlap` of the smaller height; row bands are the mean top/bottom of members.
    """
    rows: list[list] = []  # [sum_top, sum_bottom, count, members]
    for w in sorted(words, key=lambda w: ((w.y0 + w.y1) / 2, w.x0)):
        best, best_ratio = None, min_overlap
        for r in rows[-8:]:  # only recent rows can overlap; words arrive top to bottom
            top, bot = r[0] / r[2], r[1] / r[2]
            ov = min(bot, w.y1) - max(top, w.y0)
            small = max(1e-6, min(bot - top, w.y1 - w.y0))
            if ov / small >= best_ratio:
                best, best_ratio = r, ov / small
        if best is None:
            rows.append([w.y0, w.y1, 1, [w]])
        else:
            best[0] += w.y0
            best[1] += w.y1
            best[2] += 1
            best[3].append(w)
    rows.sort(key=lambda r: (r[0] + r[1]) / r[2])
    for i, r in enumerate(rows):
        for w in r[3]:
            w.line = i
