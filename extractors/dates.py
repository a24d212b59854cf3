"""Dates in numeric, ISO, month-name (nl/de/fr/es/it/pt/en) and Thai forms, incl. Buddhist-era years."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from extractors.textutil import DIGIT as _DIGIT
from extractors.textutil import fold, trie_pattern

_MONTHS = {
    1: "january jan januari januar janner jaenner janvier janv enero ene gennaio gen janeiro",
    2: "february feb februari februar fevrier fevr fev febrero febbraio fevereiro",
    3: "march mar maart mrt marz maerz mrz mars marzo marco",
    4: "april apr avril avr abril abr aprile",
    5: "may mei mai mayo maggio mag maio",
    6: "june jun juni juin junio giugno giu junho",
    7: "july jul juli juillet juil julio luglio lug julho",
    8: "august aug augustus aout agosto ago",
    9: "september sep sept septembre septiembre setiembre settembre set setembro",
    10: "october oct oktober okt octobre octubre ottobre ott outubro out",
    11: "november nov novembre noviembre novembro",
    12: "december dec dezember dez decembre diciembre dic dicembre dezembro",
}
MONTHS = {name: num for num, names in _MONTHS.items() for name in names.split()}
_THAI = [
    ("มกราคม", "ม.ค."), ("กุมภาพันธ์", "ก.พ."), ("มีนาคม", "มี.ค."), ("เมษายน", "เม.ย."),
    ("พฤษภาคม", "พ.ค."), ("มิถุนายน", "มิ.ย."), ("กรกฎาคม", "ก.ค."), ("สิงหาคม", "ส.ค."),
    ("กันยายน", "ก.ย."), ("ตุลาคม", "ต.ค."), ("พฤศจิกายน", "พ.ย."), ("ธันวาคม", "ธ.ค."),
]
THAI_MONTHS = {}
for _i, (_full, _abbr) in enumerate(_THAI, start=1):
    THAI_MONTHS[_full] = _i
    THAI_MONTHS[_abbr] = _i
    THAI_MONTHS[_abbr.replace(".", "")] = _i

_mon = trie_pattern(MONTHS)  # longest month name first, as a trie (see trie_pattern)
_thai = "|".join(re.escape(k) for k in sorted(THAI_MONTHS, key=len, reverse=True))
_ord = r"(?:st|nd|rd|th|er|re|e|eme|o|º|°|\.)?"

NUMERIC = re.compile(r"(?<![\d.,/-])(\d{1,2})\s?([./-])\s?(\d{1,2})\s?\2\s?(\d{4}|\d{2})(?![\d/-]|[.,]\d)")
ISO = re.compile(r"(?<![\d.,/-])(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?![\d/-]|[.,]\d)")
DAY_MONTH = re.compile(
    rf"(?<![\w])(\d{{1,2}}){_ord}\s*(?:de\s+|-|/|\s)?\s*({_mon})\b\.?\s*(?:de\s+|del\s+|-|/|,)?\s*(\d{{4}}|'?\d{{2}})(?!\d)"
)
MONTH_DAY = re.compile(rf"(?<![\w])({_mon})\b\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})(?!\d)")
THAI = re.compile(rf"(\d{{1,2}})\s*({_thai})\s*(?:พ\.ศ\.|พ\.ศ|ค\.ศ\.)?\s*(\d{{4}}|\d{{2}})(?!\d)")


@dataclass
class DateHit:
    value: date  # best reading (day-first for ambiguous numeric dates)
    alt: date | None  # month-first reading when the numeric order is ambiguous
    start: int
    end: int
    order: str  # "dmy", "mdy", "ymd", "name", "either"
    buddhist: bool = False


def _year(y: str, thai: bool = False) -> tuple[int, bool]:
    y = y.lstrip("'")
    v = int(y)
    if len(y) == 2:
        if thai and v >= 40:
            return 2500 + v - 543, True
        return (2000 + v if v <= 69 else 1900 + v), False
    if v >= 2400:
        return v - 543, True
    return v, False


def _mk(y: int, m: int, d: int) -> date | None:
    try:
        if not 1900 <= y <= 2100:
            return None
        return date(y, m, d)
    except ValueError:
        return None


def find_dates(text: str) -> list[DateHit]:
    """All dates in one line of text (original text; matching is done on a folded copy)."""
    if not _DIGIT.search(text):  # every form has a digit (\d also matches Thai digits)
        return []
    f = fold(text)
    hits: list[DateHit] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= x or a >= y for x, y in taken)

    def add(h: DateHit | None):
        if h and free(h.start, h.end):
            hits.append(h)
            taken.append((h.start, h.end))

    for m in THAI.finditer(f):
        y, be = _year(m.group(3), thai=True)
        d = _mk(y, THAI_MONTHS[m.group(2)], int(m.group(1)))
        if d:
            add(DateHit(d, None, m.start(), m.end(), "name", be))
    for m in ISO.finditer(f):
        y, be = _year(m.group(1))
        d = _mk(y, int(m.group(3)), int(m.group(4)))
        if d:
            add(DateHit(d, None, m.start(), m.end(), "ymd", be))
    for m in DAY_MONTH.finditer(f):
        y, be = _year(m.group(3))
        d = _mk(y, MONTHS[m.group(2)], int(m.group(1)))
        if d:
            add(DateHit(d, None, m.start(), m.end(), "name", be))
    for m in MONTH_DAY.finditer(f):
        y, be = _year(m.group(3))
        d = _mk(y, MONTHS[m.group(1)], int(m.group(2)))
        if d:
            add(DateHit(d, None, m.start(), m.end(), "name", be))
    for m in NUMERIC.finditer(f):
        a, b = int(m.group(1)), int(m.group(3))
        y, be = _year(m.group(4))
        dmy, mdy = _mk(y, b, a), _mk(y, a, b)
        if dmy and mdy and dmy != mdy and m.group(2) != ".":
            add(DateHit(dmy, mdy, m.start(), m.end(), "either", be))
        elif dmy and dmy == mdy:
            add(DateHit(dmy, None, m.start(), m.end(), "same", be))
        elif dmy:
            add(DateHit(dmy, None, m.start(), m.end(), "dmy", be))
        elif mdy:
            add(DateHit(mdy, None, m.start(), m.end(), "mdy", be))
    return sorted(hits, key=lambda h: h.start)


# Countries writing month-first numeric dates.
MONTH_FIRST = {"US", "PH", "PR", "FM", "MH", "PW", "GU", "AS", "VI", "BZ"}


def resolve_order(hit: DateHit, country: str | None, doc_order: str | None,
                  country_conf: float = 0.9) -> tuple[date, float]:
    """Pick a reading for an ambiguous numeric date -> (date, confidence factor).

    The document's own unambiguous dates decide first, then the country's convention (as sure as
    the country is), else day-first with a low factor."""
    if hit.order != "either":
        return hit.value, 1.0
    if doc_order in ("dmy", "mdy"):
        return (hit.value if doc_order == "dmy" else hit.alt), 0.98
    if country:
        factor = 0.7 + 0.29 * max(0.0, min(1.0, country_conf))
        return (hit.alt if country in MONTH_FIRST else hit.value), round(factor, 3)
    return hit.value, 0.55
