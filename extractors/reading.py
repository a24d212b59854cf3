"""A document's reading kept for later: the Extraction as JSON, and the reader's version.

Reading the same bytes with the same reader gives the same Extraction, so a reprocess after a
rules or model update can start from the stored one instead of parsing or OCR-ing again. The
version covers everything that turns bytes into an Extraction: this package's source, the
libraries it reads with, and tesseract's library and language data. Any change to one of them
gives a new version, and a stored reading of another version is never used.
"""
from __future__ import annotations

import glob
import hashlib
import os
from dataclasses import fields as dc_fields
from datetime import date
from decimal import Decimal
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from .types import Extraction, FieldValue, LineItem, Page

LIBRARIES = ("pdfplumber", "pdfminer.six", "pypdfium2", "opencv-python-headless", "numpy",
             "pillow", "pillow_heif", "pytesseract")
TESSDATA = ("/usr/share/tesseract-ocr/*/tessdata/*.traineddata",
            "/usr/share/tessdata/*.traineddata")


def _tesseract() -> list[str]:
    """The OCR engine's identity: tesseract's version and the language files (name, size)."""
    from . import tess_engine

    lib = tess_engine.library_version()
    if lib is not None:
        parts = [f"libtesseract {lib}"]
    else:  # OCR runs the tesseract command (pytesseract)
        try:
            import pytesseract

            parts = [f"tesseract {pytesseract.get_tesseract_version()}"]
        except Exception:  # no tesseract at all: scans fail to read, text PDFs still do
            parts = ["tesseract absent"]
    patterns = list(TESSDATA)
    if os.environ.get("TESSDATA_PREFIX"):
        patterns.insert(0, os.path.join(os.environ["TESSDATA_PREFIX"], "*.traineddata"))
    for pattern in patterns:
        for f in sorted(glob.glob(pattern)):
            parts.append(f"{os.path.basename(f)}:{os.path.getsize(f)}")
    return parts


def version_of(source_dir: Path, extra: list[str]) -> str:
    """A digest of the .py files in `source_dir` (names and contents) and the `extra` strings."""
    h = hashlib.sha256()
    for path in sorted(source_dir.glob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    for s in extra:
        h.update(s.encode() + b"\0")
    return f"reader-{h.hexdigest()[:16]}"


@lru_cache(maxsize=1)
def reader_version() -> str:
    extra = []
    for name in LIBRARIES:
        try:
            extra.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            extra.append(f"{name} absent")
    return version_of(Path(__file__).resolve().parent, extra + _tesseract())


def _enc(v: Any) -> Any:
    if isinstance(v, Decimal):
        return {"decimal": str(v)}
    if isinstance(v, date):
        return {"date": v.isoformat()}
    return v


def _dec(v: Any) -> Any:
    if isinstance(v, dict) and len(v) == 1:
        if "decimal" in v:
            return Decimal(v["decimal"])
        if "date" in v:
            return date.fromisoformat(v["date"])
    return v


def _field(fv: FieldValue) -> dict:
    return {"value": _enc(fv.value), "confidence": fv.confidence, "boxes": fv.boxes}


def to_json(ext: Extraction) -> dict:
    """The Extraction as JSON-ready data (from_json gives an equal Extraction back)."""
    out: dict[str, Any] = {}
    for f in dc_fields(Extraction):
        v = getattr(ext, f.name)
        if f.type == "FieldValue":
            out[f.name] = _field(v)
        elif f.name == "line_items":
            out[f.name] = [{"description": li.description, "amount": _enc(li.amount),
                            "confidence": li.confidence, "boxes": li.boxes} for li in v]
        else:
            out[f.name] = v
    return out


def from_json(data: dict) -> Extraction:
    kw: dict[str, Any] = {}
    for f in dc_fields(Extraction):
        v = data[f.name]  # a missing key is a reading of another shape: raise, never guess
        if f.name == "line_items":
            v = [LineItem(d["description"], _dec(d["amount"]), d["confidence"], d["boxes"]) for d in v]
        elif f.type == "FieldValue":
            v = FieldValue(_dec(v["value"]), v["confidence"], v["boxes"])
        kw[f.name] = v
    return Extraction(**kw)


def page_sizes(pages: list[dict]) -> list[Page]:
    """Pages with the sizes, source and rotation stored in a result's evidence (no words)."""
    return [Page(index=i, width=p["width"], height=p["height"], words=[], source=p["source"],
                 rotation=p.get("rotation", 0)) for i, p in enumerate(pages)]
