"""Text rules used next to the model: admission/discharge dates, nights, scripts."""
from __future__ import annotations

import re
import unicodedata
from datetime import date

_ADM = re.compile(r"(admission|admit|opname|aufnahme|entree|ingreso|ricover|ammission|admissao|internamento|"
                  r"internado|เข้ารับการรักษา|รับไว้)")
_DIS = re.compile(r"(discharg|ontslag|entlassung|sortie|alta\b|dimission|dimess|จำหน่าย|ออกจากโรงพยาบาล)")
_NIGHTS = re.compile(r"(nights|nachten|nachte|pflegetage|nuits|noches|notti|noites|จำนวนคืน|วันนอน)\D{0,25}?(\d{1,3})\b")

_MONTHS: dict[str, int] = {}
for _names in ("jan feb mar apr may jun jul aug sep oct nov dec",
               "january february march april may june july august september october november december",
               "jan feb mrt apr mei jun jul aug sep okt nov dec",
               "januari februari maart april mei juni juli augustus september oktober november december",
               "jan feb marz apr mai juni juli aug sept okt nov dez",
               "janv fevr mars avr mai juin juil aout sept oct nov dec",
               "ene feb mar abr may jun jul ago sep oct nov dic",
               "gen feb mar apr mag giu lug ago set ott nov dic",
               "jan fev mar abr mai jun jul ago set out nov dez",
               "ม.ค ก.พ มี.ค เม.ย พ.ค มิ.ย ก.ค ส.ค ก.ย ต.ค พ.ย ธ.ค"):
    for _i, _m in enumerate(_names.split()):
        _MONTHS.setdefault(_m, _i + 1)

_NUM = re.compile(r"\b(\d{1,4})[./-](\d{1,2})[./-](\d{2,4})\b")
_WORD = re.compile(r"\b(\d{1,2})\s+([^\W\d_][\w.]{1,9}?)\.?\s+(\d{4})\b")


def fold(text: str) -> str:
    """Lower case without Latin accents (Thai marks kept)."""
    nfd = unicodedata.normalize("NFD", text.lower())
    return unicodedata.normalize("NFC", re.sub("[\u0300-\u036f]", "", nfd))


def _year(y: int) -> int:
    if y > 2400:  # Thai Buddhist era
        y -= 543
    return y + 2000 if y < 100 else y


def _mk(y: int, m: int, d: int) -> date | None:
    try:
        return date(_year(y), m, d)
    except ValueError:
        return None


def dates_in(s: str) -> list[tuple[date | None, date | None]]:
    """Dates in a folded string, each as (day-first reading, month-first reading)."""
    out = []
    for a, b, c in _NUM.findall(s):
        a, b, c = int(a), int(b), int(c)
        if a > 31:
            out.append((_mk(a, b, c), None))
        else:
            out.append((_mk(c, b, a), _mk(c, a, b)))
    for d, mon, y in _WORD.findall(s):
        m = _MONTHS.get(mon.rstrip(".")) or _MONTHS.get(mon.rstrip(".")[:3])
        if m:
            v = _mk(int(y), m, int(d))
            out.append((v, v))
    return out


def stay(text: str) -> tuple[int | None, str]:
    """Nights in hospital from admission/discharge dates or a nights count; (None, "") if not found."""
    adm = dis = None
    nights = None
    for line in fold(text).splitlines():
        found = dates_in(line)
        if found and _ADM.search(line) and not _DIS.search(line):
            adm = adm or found[0]
        elif found and _DIS.search(line) and not _ADM.search(line):
            dis = dis or found[0]
        elif len(found) >= 2 and _ADM.search(line) and _DIS.search(line):
            adm, dis = adm or found[0], dis or found[1]
        m = _NIGHTS.search(line)
        if m and nights is None and not found:
            nights = int(m.group(2))
    if adm and dis:
        for i in (0, 1):
            a, d = adm[i], dis[i]
            if a and d and 0 <= (d - a).days <= 365:
                return (d - a).days, "dates"
    if nights is not None:
        return nights, "nights"
    return None, ""


def known_script_share(text: str) -> float:
    """Share of letters in Latin or Thai script (what the model was trained on); 1.0 without letters."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return 1.0
    ok = sum(1 for ch in letters if ord(ch) < 0x250 or 0x1E00 <= ord(ch) < 0x1F00 or 0x0E00 <= ord(ch) < 0x0E80)
    return ok / len(letters)
