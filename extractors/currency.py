"""Currency codes and symbols; ambiguous `$`, `kr`, `¥` resolved from country evidence."""
from __future__ import annotations

import re
from dataclasses import dataclass

# ISO codes we accept as words (uncommon codes that are also English words are left out: ALL, TOP, CUP...)
CODES = {
    "EUR", "USD", "GBP", "CHF", "THB", "SGD", "MYR", "IDR", "PHP", "VND", "JPY", "KRW", "CNY", "RMB",
    "HKD", "TWD", "INR", "LKR", "NPR", "PKR", "BDT", "AED", "SAR", "QAR", "KWD", "BHD", "OMR", "JOD",
    "ILS", "EGP", "MAD", "TND", "ZAR", "KES", "NGN", "GHS", "TZS", "UGX", "TRY", "RUB", "UAH", "PLN",
    "CZK", "HUF", "RON", "BGN", "SEK", "NOK", "DKK", "ISK", "AUD", "NZD", "CAD", "MXN", "BRL", "ARS",
    "CLP", "COP", "PEN", "UYU", "CRC", "DOP", "KHR", "LAK", "MMK", "XOF", "XAF", "MUR", "FJD",
}
ALIASES = {"RMB": "CNY"}

# Currencies without minor units on invoices.
NO_MINOR = {"IDR", "JPY", "KRW", "CLP", "VND", "UGX", "ISK", "XOF", "XAF", "KHR", "LAK", "MMK", "TWD",
            "COP", "PYG", "HUF"}

# Unambiguous symbols / local abbreviations -> code.  Longest first when matching.
SYMBOLS = {
    "€": "EUR", "£": "GBP", "฿": "THB", "บาท": "THB", "₹": "INR", "Rs.": "INR", "₩": "KRW", "₱": "PHP",
    "₫": "VND", "₺": "TRY", "₪": "ILS", "₽": "RUB", "₴": "UAH", "R$": "BRL", "S$": "SGD",
    "SG$": "SGD", "US$": "USD", "U$S": "USD", "A$": "AUD", "AU$": "AUD", "C$": "CAD", "CA$": "CAD",
    "HK$": "HKD", "NZ$": "NZD", "MX$": "MXN", "NT$": "TWD", "RM": "MYR", "Rp": "IDR", "SFr.": "CHF",
    "Fr.": "CHF", "zł": "PLN", "Kč": "CZK", "Ft": "HUF", "lei": "RON", "د.إ": "AED", "Dhs": "AED",
    "Dh": "AED", "﷼": "SAR", "ر.س": "SAR", "ر.ق": "QAR", "TL": "TRY", "円": "JPY", "元": "CNY",
    "Euro": "EUR", "euro": "EUR", "Baht": "THB", "baht": "THB", "Ringgit": "MYR", "Rupiah": "IDR",
    "Dirham": "AED", "dirham": "AED", "Franken": "CHF", "francs": "CHF", "Pesos": None, "pesos": None,
}
AMBIGUOUS = {"$": "dollar", "kr": "krona", "kr.": "krona", "Kr": "krona", "¥": "yen", "R": "rand"}
# Country -> currency, for resolving ambiguous symbols and as weak country evidence.
COUNTRY_CURRENCY = {
    "US": "USD", "SG": "SGD", "MX": "MXN", "CA": "CAD", "AU": "AUD", "NZ": "NZD", "HK": "HKD",
    "AR": "ARS", "CL": "CLP", "CO": "COP", "UY": "UYU", "TW": "TWD", "EC": "USD", "PA": "USD",
    "SV": "USD", "PR": "USD", "DO": "DOP", "SE": "SEK", "NO": "NOK", "DK": "DKK", "IS": "ISK",
    "JP": "JPY", "CN": "CNY", "ZA": "ZAR", "TH": "THB", "GB": "GBP", "CH": "CHF", "MY": "MYR",
    "ID": "IDR", "PH": "PHP", "VN": "VND", "KR": "KRW", "IN": "INR", "AE": "AED", "SA": "SAR",
    "QA": "QAR", "TR": "TRY", "PL": "PLN", "CZ": "CZK", "HU": "HUF", "RO": "RON", "BR": "BRL",
    "IL": "ILS", "EG": "EGP", "MA": "MAD", "KE": "KES", "NG": "NGN", "RU": "RUB", "KH": "KHR",
    "LK": "LKR", "NP": "NPR", "PE": "PEN", "CR": "CRC", "BG": "BGN", "KW": "KWD", "BH": "BHD",
    "OM": "OMR", "JO": "JOD", "MU": "MUR", "FJ": "FJD", "LA": "LAK", "MM": "MMK", "PK": "PKR",
    "BD": "BDT", "TN": "TND", "GH": "GHS", "TZ": "TZS", "UG": "UGX", "UA": "UAH",
}
EURO_COUNTRIES = {"NL", "DE", "FR", "BE", "ES", "IT", "PT", "AT", "IE", "LU", "FI", "GR", "MT", "CY",
                  "SK", "SI", "EE", "LV", "LT", "HR"}
DOLLAR_DEFAULT = "USD"
KRONA = {"SE": "SEK", "NO": "NOK", "DK": "DKK", "IS": "ISK"}
YEN = {"JP": "JPY", "CN": "CNY"}


def currency_of_country(cc: str | None) -> str | None:
    if not cc:
        return None
    if cc in EURO_COUNTRIES:
        return "EUR"
    return COUNTRY_CURRENCY.get(cc)


def minor_units(code: str | None) -> int | None:
    if not code:
        return None
    return 0 if code in NO_MINOR else 2


_sym_keys = sorted([k for k in SYMBOLS] + list(AMBIGUOUS), key=len, reverse=True)
_TOKEN = re.compile(
    r"(?<![A-Za-z])(" + "|".join(re.escape(k) for k in _sym_keys) + r")(?![A-Za-z])"
    r"|(?<![A-Za-z])([A-Z]{3})(?![A-Za-z])"
)


@dataclass
class Mention:
    code: str | None  # ISO code, or None when ambiguous
    kind: str | None  # "dollar" / "krona" / "yen" / "rand" for ambiguous symbols
    token: str
    start: int
    end: int


def find_mentions(text: str) -> list[Mention]:
    out: list[Mention] = []
    for m in _TOKEN.finditer(text):
        tok = m.group(0)
        if m.group(2):
            code = ALIASES.get(tok, tok)
            if tok in CODES:
                out.append(Mention(code, None, tok, m.start(), m.end()))
            continue
        if tok in AMBIGUOUS:
            if tok == "R" and not re.match(r"\s?\d", text[m.end():]):
                continue
            out.append(Mention(None, AMBIGUOUS[tok], tok, m.start(), m.end()))
        elif SYMBOLS.get(tok):
            out.append(Mention(SYMBOLS[tok], None, tok, m.start(), m.end()))
    return out


def resolve(kind: str, hints: dict[str, float]) -> tuple[str, float]:
    """Resolve an ambiguous symbol from country evidence -> (code, confidence)."""
    table = {"dollar": None, "krona": KRONA, "yen": YEN, "rand": {"ZA": "ZAR"}}[kind]
    ranked = sorted(hints.items(), key=lambda kv: -kv[1])
    for cc, score in ranked:
        if score <= 0:
            break
        if kind == "dollar":
            cur = COUNTRY_CURRENCY.get(cc)
            if cur and ("$" in _dollar_symbols(cur)):
                margin = score - (ranked[1][1] if len(ranked) > 1 and ranked[1][0] != cc else 0.0)
                return cur, _conf(score, margin)
            continue
        if cc in table:
            return table[cc], _conf(score, score)
    default = {"dollar": "USD", "krona": "SEK", "yen": "JPY", "rand": "ZAR"}[kind]
    return default, 0.35 if kind != "rand" else 0.6


def _dollar_symbols(cur: str) -> str:
    return "$" if cur in {"USD", "SGD", "MXN", "CAD", "AUD", "NZD", "HKD", "ARS", "CLP", "COP",
                          "UYU", "TWD", "DOP", "FJD"} else ""


def _conf(score: float, margin: float) -> float:
    if score >= 3 and margin >= 2:
        return 0.95
    if score >= 2 and margin >= 1:
        return 0.85
    if score >= 1:
        return 0.65
    return 0.45
