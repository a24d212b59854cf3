"""Build Page/Word objects from text lines (monospace geometry; two spaces = a column gap)."""
from __future__ import annotations

import re

from extractors.types import Page, Word

CHAR_W = 6.0
LINE_H = 14.0
WORD_H = 10.0


def page_from_lines(lines: list[str], index: int = 0, conf: float = 1.0) -> Page:
    words = []
    for li, text in enumerate(lines):
        for m in re.finditer(r"\S+", text):
            x0 = 20 + m.start() * CHAR_W
            y0 = 20 + li * LINE_H
            words.append(Word(m.group(0), x0, y0, x0 + len(m.group(0)) * CHAR_W, y0 + WORD_H,
                              page=index, conf=conf, line=li))
    return Page(index, 600.0, 850.0, words, "text")


def pages_from(*pages: str, conf: float = 1.0) -> list[Page]:
    return [page_from_lines(p.strip("\n").split("\n"), i, conf) for i, p in enumerate(pages)]
