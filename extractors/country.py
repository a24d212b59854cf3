"""Evidence for the country where care was given: names, cities, postcodes, phones, tax ids, language, currency."""
from __future__ import annotations

import re
from functools import lru_cache

from extractors.currency import COUNTRY_CURRENCY
from extractors.lang import detect_language
from extractors.textutil import DIGIT as _DIGIT
from extractors.textutil import fold, trie_pattern

CALLING = {
    "1": "US", "7": "RU", "20": "EG", "27": "ZA", "30": "GR", "31": "NL", "32": "BE", "33": "FR",
    "34": "ES", "36": "HU", "39": "IT", "40": "RO", "41": "CH", "43": "AT", "44": "GB", "45": "DK",
    "46": "SE", "47": "NO", "48": "PL", "49": "DE", "51": "PE", "52": "MX", "54": "AR", "55": "BR",
    "56": "CL", "57": "CO", "60": "MY", "61": "AU", "62": "ID", "63": "PH", "64": "NZ", "65": "SG",
    "66": "TH", "81": "JP", "82": "KR", "84": "VN", "86": "CN", "90": "TR", "91": "IN", "92": "PK",
    "94": "LK", "95": "MM", "212": "MA", "216": "TN", "234": "NG", "254": "KE", "255": "TZ",
    "256": "UG", "351": "PT", "352": "LU", "353": "IE", "356": "MT", "357": "CY", "358": "FI",
    "359": "BG", "385": "HR", "386": "SI", "420": "CZ", "421": "SK", "506": "CR", "507": "PA",
    "593": "EC", "598": "UY", "852": "HK", "853": "MO", "855": "KH", "856": "LA", "880": "BD",
    "886": "TW", "960": "MV", "961": "LB", "962": "JO", "965": "KW", "966": "SA", "968": "OM",
    "971": "AE", "972": "IL", "973": "BH", "974": "QA", "977": "NP", "230": "MU", "679": "FJ",
}
TAX_IDS = [  # (regex on original text, country, weight)
    (r"\bDE ?\d{9}\b", "DE", 3.0),
    (r"\bNL ?\d{9} ?B ?\d{2}\b", "NL", 3.5),
    (r"\bFR ?[0-9A-Z]{2} ?\d{9}\b", "FR", 3.0),
    (r"\bES ?[A-Z0-9]\d{7}[A-Z0-9]\b", "ES", 3.0),
    (r"\bIT ?\d{11}\b", "IT", 3.0),
    (r"\b(?:P\.? ?IVA|Partita IVA|C\.F\.)\W{0,3}\d{11}\b", "IT", 3.0),
    (r"\bBE ?0\d{3}\.?\d{3}\.?\d{3}\b", "BE", 3.0),
    (r"\bATU ?\d{8}\b", "AT", 3.0),
    (r"\bCHE[- ]?\d{3}\.\d{3}\.\d{3}\b", "CH", 3.0),
    (r"\bPT ?\d{9}\b", "PT", 3.0),
    (r"\bGB ?\d{3} ?\d{4} ?\d{2}\b", "GB", 2.5),
    (r"\bZSR-?Nr", "CH", 2.0),
    (r"\bMWST\b", "CH", 1.0),
    (r"\bRIZIV\b", "BE", 2.0),
    (r"\b(?:NIPC|NIF)\W{0,3}(?:PT)?\d{9}\b", "PT", 2.5),
    (r"\bGST Reg\w*\W{0,5}[A-Z]\d-\d{7}-\d\b", "SG", 3.0),
    (r"\bCo\. ?Reg\. ?No\W{0,3}\d{6}-[A-Z]\b", "MY", 2.5),
    (r"\bTRN\W{0,3}\d{15}\b", "AE", 3.0),
    (r"\b1\d{14}\b", "AE", 1.0),
    (r"(?:Tax ?ID|เลขประจำตัวผู้เสียภาษี|เลขผู้เสียภาษี)\W{0,4}\d[\d -]{11,16}\d", "TH", 3.0),
    (r"\bUEN\W{0,3}(?:\d{8,9}[A-Z]|[TSR]\d{2}[A-Z]{2}\d{4}[A-Z])\b", "SG", 3.0),
    (r"\b\d{2}\.\d{3}\.\d{3}\.\d-\d{3}\.\d{3}\b", "ID", 3.0),
    (r"\bNPWP\b", "ID", 2.0),
    (r"\b\d{2}\.\d{3}\.\d{3}/\d{4}-\d{2}\b", "BR", 3.0),
    (r"\bCNPJ\b", "BR", 2.0),
    (r"\bRFC\W{0,3}[A-ZÑ&]{3,4}\d{6}[A-Z0-9]{3}\b", "MX", 3.0),
    (r"\bGSTIN\W{0,3}\d{2}[A-Z]{5}\d{4}[A-Z]\d[A-Z][A-Z\d]\b", "IN", 3.0),
    (r"\bEIN\W{0,3}\d{2}-\d{7}\b", "US", 3.0),
    (r"\bNPI\W{0,3}\d{10}\b", "US", 2.5),
    (r"\bABN\W{0,3}\d{2} ?\d{3} ?\d{3} ?\d{3}\b", "AU", 3.0),
    (r"\b(?:USt-?Id(?:Nr)?|Steuernummer|St\.-?Nr|IK-Nr)", "DE", 1.5),
    (r"\b(?:KvK|AGB-code|BIG-nummer|BTW-nummer)", "NL", 1.5),
    (r"\b(?:SIRET|SIREN|FINESS|N° ADELI|RPPS)\b", "FR", 1.5),
    (r"\b(?:CIF|NIF)\W{0,3}[A-Z]?\d{7,8}[A-Z]?\b", "ES", 1.5),
    (r"\bSST\W{0,3}[A-Z]\d{2}-\d{4}-\d{8}\b", "MY", 3.0),
    (r"\bUID\W{0,3}CHE\b", "CH", 1.0),
]
_TAX = [(re.compile(p), c, w) for p, c, w in TAX_IDS]


def required_text(pattern: str) -> tuple[str, ...] | None:
    """Literal texts one of which every match of `pattern` starts with (after anchors such as
    \\b), when the pattern says so plainly; else None. A cheap `in` test before the search."""
    try:
        from re import _constants as k, _parser as parser  # Python 3.11+
    except ImportError:  # pragma: no cover - older Pythons
        import sre_constants as k
        import sre_parse as parser

    def prefix(items) -> str:
        out = ""
        for op, av in items:
            if op is not k.LITERAL:
                break
            out += chr(av)
        return out

    try:
        items = [it for it in parser.parse(pattern)]
    except Exception:
        return None
    while items and items[0][0] is k.AT:
        items = items[1:]
    if len(prefix(items)) >= 2:
        return (prefix(items),)
    if items and items[0][0] is k.BRANCH:
        texts = tuple(prefix(list(b)) for b in items[0][1][1])
        if all(len(t) >= 2 for t in texts):
            return texts
    return None


# (pattern, country, weight, texts one of which a line must hold for the pattern to match)
_TAX_CHECKS = [(rx, c, w, required_text(rx.pattern)) for rx, c, w in _TAX]
_TAX_OPEN = [check for check in _TAX_CHECKS if check[3] is None]  # searched in every line
# any literal of any check: most lines hold none, and then only the open patterns can match
_ANY_TAX_TEXT = re.compile("|".join(sorted({re.escape(t) for *_, need in _TAX_CHECKS for t in need or ()})))
CITIES = {
    "TH": "bangkok phuket chiang mai pattaya krabi koh samui hua hin chiang rai",
    "DE": "berlin munchen hamburg frankfurt koln dusseldorf stuttgart leipzig dresden bremen hannover nurnberg",
    "NL": "amsterdam rotterdam den haag utrecht eindhoven groningen maastricht leiden haarlem",
    "FR": "paris lyon marseille toulouse nice bordeaux lille nantes strasbourg montpellier",
    "ES": "madrid barcelona valencia sevilla malaga bilbao alicante marbella palma",
    "IT": "roma milano napoli torino firenze bologna venezia genova",
    "PT": "lisboa faro coimbra braga funchal",
    "BE": "brussel bruxelles antwerpen gent liege leuven",
    "CH": "zurich geneve genf basel bern lausanne lugano",
    "AT": "wien salzburg innsbruck graz linz",
    "GB": "london manchester birmingham edinburgh glasgow liverpool",
    "US": "new york los angeles chicago houston miami san francisco boston seattle",
    "AE": "dubai abu dhabi sharjah",
    "SG": "singapore",
    "MY": "kuala lumpur penang johor bahru",
    "ID": "jakarta denpasar bali surabaya",
    "MX": "ciudad de mexico cancun guadalajara monterrey",
    "BR": "sao paulo rio de janeiro brasilia",
    "AR": "buenos aires",
    "AU": "sydney melbourne brisbane perth",
    "CA": "toronto vancouver montreal",
    "JP": "tokyo osaka kyoto",
    "VN": "hanoi ho chi minh",
    "PH": "manila cebu makati",
    "TR": "istanbul ankara antalya",
}
_CITY_NAMES = ["chiang mai", "koh samui", "hua hin", "chiang rai", "den haag", "new york", "los angeles",
               "san francisco", "abu dhabi", "kuala lumpur", "johor bahru", "ciudad de mexico",
               "sao paulo", "rio de janeiro", "buenos aires", "ho chi minh"]
LANG_COUNTRY = {
    "de": {"DE": 0.8, "AT": 0.3, "CH": 0.3}, "nl": {"NL": 0.8, "BE": 0.3},
    "fr": {"FR": 0.8, "BE": 0.3, "CH": 0.3}, "es": {"ES": 0.6, "MX": 0.3, "AR": 0.15, "CO": 0.15},
    "it": {"IT": 0.8, "CH": 0.1}, "pt": {"PT": 0.6, "BR": 0.5}, "th": {"TH": 2.0},
    "en": {"US": 0.15, "GB": 0.15},
}
US_STATES = ("AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ "
             "NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC").split()
POSTCODES = [
    (re.compile(r"(?:^|,\s*)[1-9]\d{3} ?(?!SA|SD|SS)[A-Z]{2}\s+[A-Z][a-z]+"), "NL", 1.5),
    (re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}\b"), "GB", 1.5),
    (re.compile(r",? (?:" + "|".join(US_STATES) + r") \d{5}(?:-\d{4})?\b"), "US", 2.0),
    (re.compile(r"\b\d{5}-\d{3}\b"), "BR", 1.5),
    (re.compile(r"\b\d{4}-\d{3}\s+[A-Z][a-z]+"), "PT", 1.5),
    (re.compile(r"\b[A-Z]\d[A-Z] ?\d[A-Z]\d\b"), "CA", 1.2),
]
_BAD_NAMES = {"georgia", "jordan", "chad", "turkey", "guinea", "niger", "mali", "oman", "togo", "peru",
              "cuba", "iran", "iraq", "laos", "fiji", "samoa", "man", "jersey", "guernsey", "monaco",
              "china", "india", "panama", "congo", "dominica", "grenada", "macao", "macau", "cabo verde",
              "colombia", "bolivia", "honduras", "nepal", "qatar", "yemen", "sudan", "tonga", "palau",
              "nauru", "wereld", "welt", "mundo", "monde", "europa", "europe", "africa", "america",
              "asia", "oceania", "malta", "chypre", "irlanda"}
_EXTRA_NAMES = {"usa": "US", "u.s.a.": "US", "uae": "AE", "u.a.e.": "AE", "uk": "GB", "holland": "NL",
                "deutschland": "DE", "nederland": "NL", "espana": "ES", "italia": "IT", "brasil": "BR",
                "schweiz": "CH", "suisse": "CH", "svizzera": "CH", "osterreich": "AT", "belgie": "BE",
                "belgique": "BE", "turkiye": "TR", "thailand": "TH", "ประเทศไทย": "TH", "ไทย": "TH",
                "mexico": "MX", "united states": "US", "united kingdom": "GB", "india": "IN",
                "china": "CN", "qatar": "QA", "colombia": "CO", "panama": "PA", "malta": "MT",
                "peru": "PE", "nepal": "NP", "oman": "OM", "jordan": "JO"}
_PHONE_WORD = re.compile(r"\b(?:tel|tél|phone|telephone|telefon|telefono|telefone|telf|tlf|fax|mobile|gsm|"
                         r"mob|hotline)\b|โทร")
# matched in folded (lower-case, accent-free) lines
PATIENT_WORDS = re.compile(trie_pattern(["patient", "patiente", "paciente", "versicherte", "verzekerde", "insured",
                                         "assure", "assicurato", "segurado", "ผู้ป่วย", "bill to",
                                         "rechnungsempfanger", "client", "cliente", "name des"]))


_PHONE = re.compile(r"(?:(?<![\w.,-])\+|(?<![\w.,+-])00)\s?\(?(\d{1,3})\)?[\d\s().-]{6,}")


def _phones(line: str, phone_line: bool, weight: float, add) -> None:
    for m in _PHONE.finditer(line):
        if not m.group(0).startswith("+") and not phone_line:
            continue  # "0046322373149" after "Tax ID" is not a Swedish phone number
        digits = m.group(1)
        for n in (3, 2, 1):
            if digits[:n] in CALLING and len(digits) >= n:
                add(CALLING[digits[:n]], 2.5 * weight)
                break


@lru_cache(maxsize=1)
def _names() -> tuple[re.Pattern, dict[str, str]]:
    from babel import Locale

    table: dict[str, str] = {}
    for loc in ("en", "nl", "de", "fr", "es", "it", "pt", "th"):
        for code, name in Locale.parse(loc).territories.items():
            if len(code) != 2 or not code.isalpha():
                continue
            n = fold(name)
            if len(n) < 4 or n in _BAD_NAMES:
                continue
            table.setdefault(n, code)
    for n, c in _EXTRA_NAMES.items():
        table[fold(n)] = c
    for cc, cities in CITIES.items():
        words = cities.split()
        multi = [c for c in _CITY_NAMES if all(p in words for p in c.split())]
        for c in multi:
            table[c] = cc
        used = {p for c in multi for p in c.split()}
        for w in words:
            if w not in used:
                table[w] = cc
    rx = re.compile(r"(?<![\w])(" + trie_pattern(table) + r")(?![\w])")
    return rx, table


def country_hints(text: str, currency: str | None = None) -> dict[str, float]:
    """Evidence scores per ISO country code from the document's text and its currency."""
    scores = dict(_text_scores(text or ""))

    def add(cc: str | None, w: float):
        if cc:
            scores[cc] = scores.get(cc, 0.0) + w

    if currency and currency not in ("EUR",):
        w = 0.3 if currency == "USD" else 1.0
        for cc, cur in COUNTRY_CURRENCY.items():
            if cur == currency and cc not in {"EC", "PA", "SV", "PR"}:
                add(cc, w)
    return {k: round(v, 2) for k, v in sorted(scores.items(), key=lambda kv: -kv[1]) if v > 0}


@lru_cache(maxsize=8)
def _text_scores(text: str) -> tuple[tuple[str, float], ...]:
    """The text's part of the evidence (cached: a document asks with and without its currency)."""
    scores: dict[str, float] = {}

    def add(cc: str | None, w: float):
        if cc:
            scores[cc] = scores.get(cc, 0.0) + w

    if not text:
        text = ""
    rx, table = _names()
    lines = text.split("\n")
    patient_until = -1
    for i, line in enumerate(lines):
        f = fold(line)
        pm = PATIENT_WORDS.search(f)
        if pm and pm.start() <= 4:  # a patient block in a one-column layout (not a right-hand column)
            patient_until = i + 3
        weight = 0.3 if i <= patient_until else 1.0
        seen: set[str] = set()
        for m in rx.finditer(f):
            cc = table[m.group(1)]
            if cc not in seen:
                add(cc, 2.0 * weight)
                seen.add(cc)
        digits = bool(_DIGIT.search(line))  # phones, postcodes and the open tax ids need one
        if digits:
            _phones(line, bool(_PHONE_WORD.search(f)), weight, add)
        checks = _TAX_CHECKS if _ANY_TAX_TEXT.search(line) else _TAX_OPEN if digits else ()
        for rxp, cc, w, need in checks:
            if need is not None and not any(t in line for t in need):
                continue
            if rxp.search(line):
                add(cc, w * weight)
        for rxp, cc, w in POSTCODES if digits else ():
            if rxp.search(line):
                add(cc, w * weight)
    lang = detect_language(text)
    for cc, w in LANG_COUNTRY.get(lang or "", {}).items():
        add(cc, w)
    return tuple(scores.items())


def best_country(hints: dict[str, float]) -> tuple[str | None, float]:
    if not hints:
        return None, 0.0
    ranked = sorted(hints.items(), key=lambda kv: -kv[1])
    best, score = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    margin = score - second
    if score < 0.5:
        return best, 0.2
    conf = 0.3 + 0.7 * (1 - 2.718 ** (-margin / 1.5))
    if score < 1.5:
        conf = min(conf, 0.6)
    return best, round(min(conf, 0.99), 3)
