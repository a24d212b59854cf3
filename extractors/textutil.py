"""Shared text helpers: folding for label matching and line strings mapped back to words."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from extractors.types import Page, Word

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
DIGIT = re.compile(r"\d")  # any decimal digit, Thai ones included


def fold_char(c: str) -> str:
    """One char -> one char: lowercase, accents removed (keeps string lengths equal)."""
    d = unicodedata.normalize("NFD", c)
    base = d[0] if d else c
    low = base.lower()
    return low[0] if low else base


class _FoldTable(dict):
    """str.translate table: code point -> folded char, filled on first use of each char."""

    def __missing__(self, cp: int) -> str:
        f = self[cp] = fold_char(chr(cp).translate(THAI_DIGITS))
        return f


_FOLD = _FoldTable()


def fold(s: str) -> str:
    """Lowercase, accent-free, Thai digits as ASCII; same length as `s`."""
    if s.isascii():
        return s.lower()
    return s.translate(_FOLD)


def trie_pattern(words) -> str:
    """A regex alternation of `words` as a trie ("ab|ac" -> "a(?:b|c)"): Python's re tries every
    word of a plain alternation at every position; the trie follows the text one char at a
    time. At each position it matches the longest word it can, like a plain alternation
    sorted longest first, backtracking to shorter words when what follows fails."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        alts = [re.escape(ch) + build(sub) for ch, sub in sorted(node.items()) if ch]
        if "" in node:  # a word ends here: longer words first (greedy), then this one
            return "(?:" + "|".join(alts) + ")?" if alts else ""
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    return build(trie)


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


def _row_height(ws: list[Word]) -> float:
    hs = sorted(w.y1 - w.y0 for w in ws)
    return max(1.0, hs[len(hs) // 2]) if hs else 1.0


_RULE = re.compile(r"[|\[\]¦]+")


def _clean_row(ws: list[Word]) -> tuple[list[Word], set[int]]:
    """Drop empty words, table rules ('|') and OCR duplicates; return the words and the indexes
    after which a column break must be forced (where a rule stood)."""
    out: list[Word] = []
    breaks: set[int] = set()
    for w in ws:
        t = w.text.strip() if w.text else ""
        if not t:
            continue
        if t[0] in "|[]¦" and _RULE.fullmatch(t):
            if out:
                breaks.add(len(out) - 1)
            continue
        if t[0] in "|[" and len(t) > 1:
            t = t.lstrip("|[")
            if out:
                breaks.add(len(out) - 1)
        if t[-1] in "|]" and len(t) > 1 and not t.startswith("("):
            t = t.rstrip("|]")
            breaks.add(len(out))
        if t != w.text:
            w = Word(t, w.x0, w.y0, w.x1, w.y1, w.page, w.conf, w.line)
        if out:
            prev = out[-1]
            overlap = min(prev.x1, w.x1) - max(prev.x0, w.x0)
            if overlap > 0.5 * min(prev.x1 - prev.x0, w.x1 - w.x0) > 0:
                if w.conf > prev.conf:
                    out[-1] = w
                continue
        out.append(w)
    return out, breaks


def build_lines(pages: list[Page]) -> list[Line]:
    out: list[Line] = []
    for page in pages:
        for ws in page.lines():
            ws, breaks = _clean_row(ws)
            if not ws:
                continue
            parts: list[str] = []
            spans: list[tuple[int, int]] = []
            pos = 0
            column_gap = 0.9 * _row_height(ws)  # a gap wider than ~a digit pair separates columns
            prev = None
            for i, w in enumerate(ws):
                t = w.text
                if prev is not None:
                    if (i - 1) in breaks or (w.x0 - prev.x1) > column_gap:
                        sep = "  "
                    elif _is_thai(t[0]) and _is_thai(prev.text[-1]) and _thai_tight(prev, w):
                        sep = ""
                    else:
                        sep = " "
                    parts.append(sep)
                    pos += len(sep)
                if not t.isascii():
                    t = t.translate(THAI_DIGITS)
                parts.append(t)
                spans.append((pos, pos + len(t)))
                pos += len(t)
                prev = w
            text = "".join(parts)
            out.append(Line(page.index, len(out), ws, text, fold(text), spans))
    return out


def _is_thai(c: str) -> bool:
    return "\u0e00" <= c <= "\u0e7f"


def _thai_tight(prev: Word, w: Word) -> bool:
    height = max(1.0, max(prev.y1 - prev.y0, w.y1 - w.y0))
    return (w.x0 - prev.x1) < 0.45 * height


def has_letters(s: str, n: int = 2) -> bool:
    return len(re.findall(r"[^\W\d_]", s)) >= n
