"""Locale formatting of amounts and dates as printed on sample invoices."""
from datetime import date
from decimal import Decimal

from samples._countries import MONTHS

SEPS = {"dot": (".", ","), "comma": (",", "."), "space": (" ", ","), "apos": ("'", ".")}


def fmt_amount(value: Decimal, style: str, decimals: int = 2) -> str:
    """1234.5 -> '1.234,50' (dot) | '1,234.50' (comma) | '1 234,50' (space) | "1'234.50" (apos)."""
    thousands, dec = SEPS[style]
    neg = value < 0
    q = abs(value).quantize(Decimal(1) if decimals == 0 else Decimal("0.01"))
    whole, _, frac = f"{q:f}".partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = thousands.join(groups)
    if decimals:
        text += dec + frac
    return ("-" if neg else "") + text


def fmt_date(d: date, style: str, lang: str) -> str:
    if style == "dmy.":
        return f"{d.day:02d}.{d.month:02d}.{d.year}"
    if style == "dmy-":
        return f"{d.day:02d}-{d.month:02d}-{d.year}"
    if style == "dmy/":
        return f"{d.day:02d}/{d.month:02d}/{d.year}"
    if style == "mdy/":
        return f"{d.month:02d}/{d.day:02d}/{d.year}"
    if style == "mdy-":
        return f"{d.month:02d}-{d.day:02d}-{d.year}"
    if style == "iso":
        return d.isoformat()
    if style == "be/":  # Thai Buddhist era year
        return f"{d.day:02d}/{d.month:02d}/{d.year + 543}"
    months = MONTHS.get("en" if lang == "th" else lang, MONTHS["en"])
    name = months[d.month - 1]
    if style == "monthd":
        return f"{name} {d.day}, {d.year}"
    # "dmon": day month-name year in the language
    if lang == "de":
        return f"{d.day}. {name} {d.year}"
    if lang in ("es", "pt"):
        return f"{d.day} de {name} de {d.year}"
    if lang in ("en", "th"):
        return f"{d.day} {name[:3]} {d.year}" if d.day % 2 else f"{d.day} {name} {d.year}"
    return f"{d.day} {name} {d.year}"
