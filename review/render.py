"""Pages of an original file as PNG for the item page (PDF via pdfplumber, images via PIL).

Orientation matches the evidence boxes: images after EXIF orientation, turned clockwise by the
page's `rotation` (see extractors/pages.py).
"""
from __future__ import annotations

import io
import threading
from collections import OrderedDict

from PIL import Image, ImageOps

TARGET_WIDTH = 1100
_cache: OrderedDict[tuple, bytes] = OrderedDict()
_lock = threading.Lock()
CACHE_SIZE = 64


class RenderError(Exception):
    pass


def page_png(digest: str, data: bytes, index: int, rotation: int = 0) -> bytes:
    key = (digest, index, rotation)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    png = _render(data, index, rotation)
    with _lock:
        _cache[key] = png
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return png


def _render(data: bytes, index: int, rotation: int) -> bytes:
    if not data:
        raise RenderError("the original was too large to keep")
    if b"%PDF-" in data[:1024]:
        img = _pdf_page(data, index)
    else:
        img = _image_page(data, index)
    if rotation in (90, 180, 270):
        img = img.rotate(-rotation, expand=True)  # PIL turns counter-clockwise
    if img.width > TARGET_WIDTH:
        img = img.resize((TARGET_WIDTH, round(img.height * TARGET_WIDTH / img.width)))
    if img.mode not in ("RGB", "L"):
        img = img.convert("RGB")
    out = io.BytesIO()
    img.save(out, "PNG", optimize=False)
    return out.getvalue()


def _pdf_page(data: bytes, index: int) -> Image.Image:
    import pdfplumber

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            if not 0 <= index < len(pdf.pages):
                raise RenderError(f"no page {index + 1}")
            page = pdf.pages[index]
            dpi = max(36, min(200, TARGET_WIDTH / float(page.width) * 72))
            return page.to_image(resolution=dpi).original.copy()
    except RenderError:
        raise
    except Exception as e:
        raise RenderError(f"cannot render the PDF: {e}")


def _image_page(data: bytes, index: int) -> Image.Image:
    try:
        img = Image.open(io.BytesIO(data))
        if index:
            img.seek(index)
        img.load()
        return ImageOps.exif_transpose(img) if index == 0 else img.copy()
    except EOFError:
        raise RenderError(f"no page {index + 1}")
    except Exception as e:
        raise RenderError(f"cannot render the image: {e}")
