"""Amounts as printed in any locale -> Decimal (never float)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from extractors.currency import CODES

GROUP_CHARS = ".,'’\u00a0\u202f\u2009 "
SPACES = "\u00a0\u202f\u2009 "
MINUS = "-−–"


@dataclass
class Amount:
    value: Decimal
    decimal_sep: str | None  # "." or "," when the number has a fraction part
    group_sep: str | None  # separator between thousands, if any
    ambiguous: bool  # a lone "." or "," before exactly 3 digits
    start: int = 0
    end: int = 0


_SEP = re.compile(r"[.,'’\u00a0\u202f\u2009 ]")


def _split(core: str) -> tuple[list[str], list[str]] | None:
    groups = _SEP.split(core)
    seps = _SEP.findall(core)
    if any(not g.isdigit() for g in groups):
        return None
    return groups, seps


def parse_number(text: str, hint_decimal: str | None = None, minor_units: int | None = None) -> Amount | None:
    """Parse one number like '1.234,56', '(12.00)', '12,00-', "1'234.50".

    hint_decimal: the decimal separator the document uses elsewhere ("." or ",").
    minor_units: 0 for currencies without cents (IDR, JPY, KRW, CLP...), which makes
    '1.250' a thousand-grouped amount.
    """
    s = text.strip()
    neg = False
    if s.startswith("(") and s.endswith(")"):
        neg, s = True, s[1:-1].strip()
    if s and s[0] in MINUS:
        neg, s = True, s[1:].strip()
    elif s and s[-1] in MINUS:
        neg, s = True, s[:-1].strip()
    if not s or not s[0].isdigit() or not s[-1].isdigit():
        return None
    parts = _split(s)
    if parts is None:
        return None
    groups, seps = parts
    dec_sep = None
    ambiguous = False
    if not seps:
        return Amount(_signed(Decimal(s), neg), None, None, False)
    last_sep, last = seps[-1], groups[-1]
    if last_sep in ".," and len(last) in (1, 2):
        dec_sep = last_sep
    elif last_sep in ".," and len(last) == 3 and len(seps) == 1:
        # "1.234" / "1,234": grouping or three decimals?
        if groups[0] == "0" or len(groups[0]) > 3:
            dec_sep = last_sep
        elif minor_units == 0:
            dec_sep = None
        elif hint_decimal and hint_decimal != last_sep:
            dec_sep = None
        elif hint_decimal == last_sep:
            dec_sep = last_sep
        else:
            ambiguous = True
            dec_sep = None
    elif last_sep in ".," and len(last) != 3:
        return None
    group_part = groups[:-1] if dec_sep else groups
    group_seps = seps[:-1] if dec_sep else seps
    if group_seps:
        kinds = {("space" if c in SPACES else c) for c in group_seps}
        if len(kinds) != 1:
            return None
        gsep = group_seps[0]
        if dec_sep and gsep == dec_sep:
            return None
        if not (1 <= len(group_part[0]) <= 3) or any(len(g) != 3 for g in group_part[1:]):
            return None
    else:
        gsep = None
    int_part = "".join(group_part)
    value = Decimal(int_part + ("." + groups[-1] if dec_sep else ""))
    return Amount(_signed(value, neg), dec_sep, gsep, ambiguous)


def _signed(v: Decimal, neg: bool) -> Decimal:
    return -v if neg else v


# A run of digits and separators, optionally signed; single spaces only (two spaces = column gap).
_RUN = re.compile(
    r"(?<![\d.,/:+#\-])(\(?[-−–]?\d(?:[\d.,'’\u00a0\u202f\u2009]| (?=\d))*\d?\)?-?)(?![\d/:%])"
)
# Letters that may touch a number: currency codes and symbols ("Rp1.250.000", "12,00EUR").
GLUED = re.compile(r"(?:[A-Z]{3}|Rp|RM|R\$|S\$|US\$|HK\$|A\$|C\$|NZ\$|MX\$|kr|Kr|Fr|Sfr|SFr|zł|Kč|Ft|Dhs?|TL|Rs|฿|บาท)$")
GLUED_AFTER = re.compile(r"^(?:[A-Z]{3}|kr|zł|Kč|Ft|TL|บาท|฿|€|\$|\.-|,-|-)")


_WORD_AFTER = re.compile(r"[^\W\d_]+")
_CODE = re.compile(r"[A-Z]{3}")


def _word_before(text: str) -> str:
    """The letters (then an optional "$") that end `text`: what `[^\\W\\d_]*\\$?$` matches."""
    i = len(text) - (1 if text.endswith("$") else 0)
    j = i
    while j and text[j - 1].isalnum() and not text[j - 1].isdecimal():
        j -= 1
    return text[j:]


def _glued_ok(text: str, start: int, end: int) -> bool:
    before = text[:start]
    if before and (before[-1].isalpha() or before[-1] == "$"):
        tok = _word_before(before)
        if _CODE.fullmatch(tok):
            if tok not in CODES:
                return False
        elif not GLUED.search(tok) and tok != "$":
            return False
    after = text[end:]
    if after and (after[0].isalpha() or after[0] == "_"):
        m = _WORD_AFTER.match(after)
        tok = m.group(0) if m else ""
        if _CODE.fullmatch(tok):
            return tok in CODES
        if not GLUED_AFTER.match(tok):
            return False
    return True


def find_numbers(text: str, hint_decimal: str | None = None, minor_units: int | None = None) -> list[Amount]:
    """All amount-like numbers in a line of text, left to right, with their spans."""
    out: list[Amount] = []
    for m in _RUN.finditer(text):
        run = m.group(1)
        start = m.start(1)
        if not _glued_ok(text, m.start(1), m.end(1)):
            continue
        out.extend(_split_run(run, start, hint_decimal, minor_units))
    return out


def with_hint(found: list[Amount], text: str, hint_decimal: str | None,
              minor_units: int | None) -> list[Amount]:
    """`find_numbers(text, hint_decimal, minor_units)` from `found = find_numbers(text)`: the two
    differ only in the numbers read as ambiguous ("1.234"), which parse either way, so the runs
    split the same and only those numbers are read again."""
    if hint_decimal is None and minor_units is None:
        return found
    out = []
    for a in found:
        if a.ambiguous:
            b = parse_number(text[a.start:a.end], hint_decimal, minor_units)
            b.start, b.end = a.start, a.end
            a = b
        out.append(a)
    return out


_PIECE = re.compile(r"[^ ]+")


def _split_run(run: str, start: int, hint, minor) -> list[Amount]:
    """Parse a run; if it is not one number, split at spaces (rightmost longest first)."""
    run_stripped = run.rstrip(".,")
    a = parse_number(run_stripped, hint, minor)
    if a is not None:
        a.start, a.end = start, start + len(run_stripped)
        return [a]
    pieces = [m.span() for m in _PIECE.finditer(run)]
    if len(pieces) <= 1:
        return []
    if len(pieces) > 12:  # a long run of numbers (ids, garbage): each piece alone
        out = []
        for a_, b_ in pieces:
            a = parse_number(run[a_:b_].rstrip(".,"), hint, minor)
            if a is not None:
                a.start, a.end = start + a_, start + a_ + len(run[a_:b_].rstrip(".,"))
                out.append(a)
        return out
    found: list[Amount] = []
    j = len(pieces)
    while j > 0:
        for i in range(0, j):
            a_, b_ = pieces[i][0], pieces[j - 1][1]
            sub = run[a_:b_].rstrip(".,")
            a = parse_number(sub, hint, minor)
            if a is not None:
                a.start, a.end = start + a_, start + a_ + len(sub)
                found.append(a)
                j = i
                break
        else:
            j -= 1
    return sorted(found, key=lambda x: x.start)


def format_amount(value: Decimal, style: str) -> str:
    """Format a Decimal in one locale style (used by tests and sample tooling)."""
    q = value.quantize(Decimal("0.01"))
    neg = q < 0
    s = f"{abs(q):,.2f}"  # 1,234.56
    intp, frac = s.split(".")
    seps = {"en": (",", "."), "de": (".", ","), "fr": ("\u202f", ","), "fr_nbsp": ("\u00a0", ","),
            "fr_space": (" ", ","), "ch": ("'", "."), "plain": ("", ".")}
    g, d = seps[style]
    out = intp.replace(",", g) + d + frac
    return "-" + out if neg else out
