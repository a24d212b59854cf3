"""Shared text helpers: folding for label matching and line strings mapped back to words."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from extractors.types import Page, Word

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def fold_char(c: str) -> str:
    """One char -> one char: lowercase, accents removed (keeps string lengths equal)."""
    d = unicodedata.normalize("NFD", c)
    base = d[0] if d else c
    low = base.lower()
    return low[0] if low else base


def fold(s: str) -> str:
    """Lowercase, accent-free, Thai digits as ASCII; same length as `s`."""
    return "".join(fold_char(c) for c in s.translate(THAI_DIGITS))


@dataclass
class Line:
    """One visual row: its text (a column gap becomes two spaces) and word spans."""

    page: int
    index: int  # row index in reading order over the whole document
    words: list[Word]
    text: str
    folded: str
    spans: list[tuple[int, int]]  # (start, end) of each word in text

    def words_in(self, start: int, end: int) -> list[Word]:
        return [w for w, (a, b) in zip(self.words, self.spans) if a < end and b > start]

    def boxes(self, start: int, end: int) -> list[list[float]]:
        return [w.box() for w in self.words_in(start, end)]

    def conf(self, start: int, end: int) -> float:
        ws = self.words_in(start, end)
        return min((w.conf for w in ws), default=1.0)

    @property
    def top(self) -> float:
        return min((w.y0 for w in self.words), default=0.0)


def _gap_is_column(prev: Word, w: Word) -> bool:
    height = max(1.0, min(prev.y1 - prev.y0, w.y1 - w.y0))
    return (w.x0 - prev.x1) > 0.9 * height


def build_lines(pages: list[Page]) -> list[Line]:
    out: list[Line] = []
    for page in pages:
        for ws in page.lines():
            ws = [w for w in ws if w.text and w.text.strip()]
            if not ws:
                continue
            parts: list[str] = []
            spans: list[tuple[int, int]] = []
            pos = 0
            for i, w in enumerate(ws):
                if i:
                    sep = "  " if _gap_is_column(ws[i - 1], w) else " "
                    parts.append(sep)
                    pos += len(sep)
                t = w.text.translate(THAI_DIGITS)
                parts.append(t)
                spans.append((pos, pos + len(t)))
                pos += len(t)
            text = "".join(parts)
            out.append(Line(page.index, len(out), ws, text, fold(text), spans))
    return out


def has_letters(s: str, n: int = 2) -> bool:
    return len(re.findall(r"[^\W\d_]", s)) >= n
