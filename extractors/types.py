"""Plain data passed between reading, extraction and the pipeline."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class ExtractionError(Exception):
    """A document that cannot be read. `code` is one of the contract's error codes."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    page: int = 0  # 0-based page index
    conf: float = 1.0  # 0..1; 1.0 for a PDF text layer
    line: int = -1  # line index within the page, set by the reader

    def box(self) -> list[float]:
        return [self.page, round(self.x0, 1), round(self.y0, 1), round(self.x1, 1), round(self.y1, 1)]


@dataclass
class Page:
    index: int
    width: float
    height: float
    words: list[Word]
    source: str  # "text" (PDF text layer) or "ocr"
    rotation: int = 0  # degrees the image was turned before OCR
    skew: float = 0.0  # degrees of deskew applied
    image: Any = None  # preprocessed grey image (numpy) for OCR pages, else None

    def lines(self) -> list[list[Word]]:
        """Words grouped by line, top to bottom, left to right."""
        groups: dict[int, list[Word]] = {}
        for w in self.words:
            groups.setdefault(w.line, []).append(w)
        out = [sorted(ws, key=lambda w: w.x0) for _, ws in sorted(groups.items())]
        return out

    def text(self) -> str:
        return "\n".join(" ".join(w.text for w in ws) for ws in self.lines())


@dataclass
class FieldValue:
    value: Any
    confidence: float
    boxes: list[list[float]] = field(default_factory=list)  # [page, x0, y0, x1, y1]

    @staticmethod
    def missing() -> "FieldValue":
        return FieldValue(None, 0.0, [])


@dataclass
class LineItem:
    description: str
    amount: Any  # Decimal
    confidence: float = 1.0
    boxes: list[list[float]] = field(default_factory=list)


@dataclass
class Extraction:
    """Everything read off one document, before classification, FX and coverage."""

    invoice_date: FieldValue = field(default_factory=FieldValue.missing)  # datetime.date
    invoice_number: FieldValue = field(default_factory=FieldValue.missing)
    provider_name: FieldValue = field(default_factory=FieldValue.missing)
    patient_name: FieldValue = field(default_factory=FieldValue.missing)
    currency: FieldValue = field(default_factory=FieldValue.missing)  # ISO 4217
    total_amount: FieldValue = field(default_factory=FieldValue.missing)  # Decimal
    country: FieldValue = field(default_factory=FieldValue.missing)  # ISO 3166-1 alpha-2
    line_items: list[LineItem] = field(default_factory=list)
    country_hints: dict[str, float] = field(default_factory=dict)  # code -> evidence score
    text: str = ""
    language: str | None = None
    review_reasons: list[str] = field(default_factory=list)  # e.g. "line_items_mismatch"
