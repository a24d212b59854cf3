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
# "12 March 2026", "12. März 2026", "5 de outubro de 2023"
_WORD = re.compile(r"\b(\d{1,2})\.?\s+(?:de\s+)?([^\W\d_][\w.]{1,9}?)\.?\s+(?:de\s+)?(\d{4})\b")
# "May 2, 2023", "Sept. 14 2026": month first
_WORD_MDY = re.compile(r"\b([^\W\d_][\w]{2,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b")


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


def _month_name(word: str) -> int | None:
    """A month name or its start ("sept"); not any word sharing three letters ("marketing")."""
    if word in _MONTHS:
        return _MONTHS[word]
    return next((n for k, n in _MONTHS.items() if len(k) > len(word) and k.startswith(word)), None)


def dated(s: str) -> list[tuple[int, int, tuple[date | None, date | None]]]:
    """Dates in a folded string with their spans: (start, end, (day-first, month-first reading))."""
    out = []
    for m in _NUM.finditer(s):
        a, b, c = (int(g) for g in m.groups())
        out.append((m.start(), m.end(), (_mk(a, b, c), None) if a > 31 else (_mk(c, b, a), _mk(c, a, b))))
    for m in _WORD.finditer(s):
        d, mon, y = m.groups()
        month = _MONTHS.get(mon.rstrip(".")) or _MONTHS.get(mon.rstrip(".")[:3])
        if month:
            v = _mk(int(y), month, int(d))
            out.append((m.start(), m.end(), (v, v)))
    for m in _WORD_MDY.finditer(s):
        mon, d, y = m.groups()
        month = _month_name(mon)
        if month and not any(start < m.end() and m.start() < end for start, end, _ in out):
            v = _mk(int(y), month, int(d))
            out.append((m.start(), m.end(), (v, v)))
    return out


def dates_in(s: str) -> list[tuple[date | None, date | None]]:
    """Dates in a folded string, each as (day-first reading, month-first reading)."""
    return [v for _, _, v in dated(s)]


_GAP = re.compile(r"[^\d,;|]{0,24}")  # a label to its date: "datum: ", " date (dd/mm): "
# after a label whose date comes before it ("01/02/2024 admission, ..."): no other words
_TAIL = re.compile(r"\w*[\s:.\-]*(?:date|datum|fecha|data)?[\s:.\-]*(?:[,;|]|$)")


def _labelled(found, labels: list[re.Match], other: re.Match | None):
    """The date a label names: the one right after it ("Discharged: 13/05/2023"), else the
    nearest one right before it ("13/05/2023 discharge,"), after the other label. Two-column
    layouts put another date on the same line ("Date: 14/10/2023   Date de sortie: 01/10/2023"),
    so the line's first date is not it; "Date: 29/11/2024  Admission type: Emergency" names none."""
    line = labels[0].string
    for label in labels:
        for start, _, v in sorted(found):
            if start >= label.end() and _GAP.fullmatch(line, label.end(), start):
                return v
    for label in labels:
        if not _TAIL.match(line, label.end()):
            continue
        floor = other.end() if other is not None and other.end() <= label.start() else 0
        before = [(start, v) for start, end, v in found if floor <= start and end <= label.start()]
        if before:
            return max(before)[1]
    return None


def _pair(found, a: re.Match, d: re.Match):
    """(admission, discharge) from "Admission/Discharge: 01/02/2024 - 05/02/2024": both labels
    with no date between them, then two dates, in the labels' order; else None."""
    first, second = sorted((a, d), key=lambda m: m.start())
    if any(first.end() <= start < second.start() for start, _, _ in found):
        return None
    after = [v for start, _, v in sorted(found) if start >= second.end()]
    if len(after) < 2:
        return None
    return (after[0], after[1]) if first is a else (after[1], after[0])


def stay(text: str) -> tuple[int | None, str]:
    """Nights in hospital from admission/discharge dates or a nights count; (None, "") if not found."""
    adm = dis = None
    nights = None
    for line in fold(text).splitlines():
        a, d = _ADM.search(line), _DIS.search(line)
        m = _NIGHTS.search(line)
        if not (a or d or m):  # a line's dates count only next to one of these labels
            continue
        found = dated(line)
        pair = _pair(found, a, d) if a and d else None
        if pair:
            adm, dis = adm or pair[0], dis or pair[1]
        else:
            if found and a:
                adm = adm or _labelled(found, list(_ADM.finditer(line)), d)
            if found and d:
                dis = dis or _labelled(found, list(_DIS.finditer(line)), a)
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


def _known(ch: str) -> bool:
    cp = ord(ch)
    return cp < 0x250 or 0x1E00 <= cp < 0x1F00 or 0x0E00 <= cp < 0x0E80


class _ScriptTable(dict):
    """str.translate table: a letter -> "k" (Latin or Thai) or "o" (other script); any other
    char is dropped. Filled on first use of each char."""

    def __missing__(self, cp: int) -> str | None:
        ch = chr(cp)
        v = self[cp] = ("k" if _known(ch) else "o") if ch.isalpha() else None
        return v


_SCRIPTS = _ScriptTable()


def known_script_share(text: str) -> float:
    """Share of letters in Latin or Thai script (what the model was trained on); 1.0 without letters."""
    if text.isascii():  # every ASCII letter is Latin
        return 1.0
    letters = text.translate(_SCRIPTS)
    return letters.count("k") / len(letters) if letters else 1.0
