"""Pages of words -> invoice fields with confidences and source boxes."""
from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from extractors import labels as L
from extractors.country import best_country, country_hints
from extractors.currency import CODES, currency_of_country, find_mentions, minor_units, resolve
from extractors.dates import DateHit, find_dates, resolve_order
from extractors.lang import detect_language
from extractors.numbers import Amount, find_numbers, with_hint
from extractors.textutil import Line, build_lines, fold, has_letters
from extractors.types import Extraction, FieldValue, LineItem, Page

log = logging.getLogger(__name__)

NEG_ORDER = ["carried", "page", "share", "insurance", "deposit", "balance", "discount", "vat_incl",
             "subtotal", "vat"]
SUMMARY = set(NEG_ORDER) | {"total_strong", "total_weak"}
_PHONE = re.compile(r"(?:(?<![\w.,-])\+|(?<![\w.,+-])00)\s?\(?\d[\d\s().-]{6,}\d")
_LONG_ID = re.compile(r"\b[A-Z]{0,4}[-/]?\d{5,}[-/]\d+[\w/-]*|\b\d{9,}\b")


@dataclass
class Row:
    line: Line
    dates: list[DateHit]
    amounts: list[Amount]
    category: str | None = None  # label category of the row
    cat_start: int = -1
    label: str = ""  # folded text left of the first amount
    in_items: bool = False
    is_header: bool = False
    amount_row: "Row | None" = None  # a wrapped item: its amount printed on the next row


def extract_fields(pages: list[Page]) -> Extraction:
    """Never raises: odd input gives missing fields with confidence 0."""
    try:
        return _extract(pages or [])
    except Exception:  # noqa: BLE001 - the pipeline must get a result for any text
        log.exception("field extraction failed")
        ex = Extraction()
        try:
            ex.text = "\n".join(p.text() for p in pages or [])
        except Exception:  # noqa: BLE001
            ex.text = ""
        ex.review_reasons.append("extraction_error")
        return ex


# ---------------------------------------------------------------- rows and labels

def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    if not spans:
        return text
    chars = list(text)
    for a, b in spans:
        for i in range(a, b):
            chars[i] = "§"
    return "".join(chars)


_FILLER = re.compile(r"^\W*(?:less|minus|abzgl|abzuglich|moins|menos|meno|af|plus|zzgl)\b\W*")


def _classify(label: str) -> tuple[str | None, int]:
    """Category of an amount row from its folded label text; the earliest (then longest) match wins."""
    m = _FILLER.match(label)
    if m:
        cat, start = _classify(label[m.end():])
        return cat, (start + m.end() if cat == "carried" else start)
    best: tuple[int, int, str] | None = None
    cands = [(c, L.SUMMARY_NEGATIVE[c]) for c in NEG_ORDER] + [("total_strong", L.TOTAL_STRONG),
                                                              ("total_weak", L.TOTAL_WEAK)]
    for cat, rx in cands:
        m = rx.search(label)
        if not m:
            continue
        if cat == "carried" and (m.start() > 2 or len(label.rstrip(" :.-")) - m.end() > 3):
            continue
        key = (m.start(), -(m.end() - m.start()), cat)
        if best is None or key[:2] < best[:2]:
            best = key
    if best is None:
        return None, -1
    return best[2], best[0]


def _numbers(lines: list[Line], dates_of: list[list[DateHit]]) -> list[tuple[str, list[Amount]]]:
    """Each line with its dates masked, and the numbers in it read with no document hints."""
    out = []
    for ln, dates in zip(lines, dates_of):
        masked = _mask(ln.text, [(d.start, d.end) for d in dates])
        out.append((masked, find_numbers(masked)))
    return out


def _rows(lines: list[Line], dates_of: list[list[DateHit]], numbers: list[tuple[str, list[Amount]]],
          hint_decimal: str | None, minor: int | None) -> list[Row]:
    rows = []
    for ln, dates, (masked, found) in zip(lines, dates_of, numbers):
        ids = [m.span() for m in _PHONE.finditer(ln.text)] + [m.span() for m in _LONG_ID.finditer(ln.text)]
        if ids:  # phones and long ids are not amounts: read the line again without them
            amts = find_numbers(_mask(masked, ids), hint_decimal, minor)
        else:
            amts = with_hint(found, masked, hint_decimal, minor)
        first = amts[0].start if amts else len(ln.text)
        label = ln.folded[:first]
        cat, start = _classify(label)
        rows.append(Row(ln, dates, amts, cat, start, label))
    return rows


def _doc_decimal(lines: list[Line], numbers: list[tuple[str, list[Amount]]]) -> str | None:
    c = Counter()
    for ln, (_, found) in zip(lines, numbers):
        for a in found:
            if a.decimal_sep and len(ln.text[a.start:a.end].split(a.decimal_sep)[-1]) == 2:
                c[a.decimal_sep] += 1
    if not c:
        return None
    (best, n), *rest = c.most_common()
    return best if not rest or n >= 2 * rest[0][1] else None


# ---------------------------------------------------------------- currency

def _currency(lines: list[Line], hints_fn) -> tuple[FieldValue, dict[str, float]]:
    score: Counter = Counter()
    ambiguous: Counter = Counter()
    boxes: dict[str, list] = {}
    for ln in lines:
        fl = ln.folded
        weight = 3.0 if (L.TOTAL_STRONG.search(fl) or L.TOTAL_WEAK.search(fl)) else 1.0
        for m in find_mentions(ln.text):
            near = bool(re.search(r"\d", ln.text[max(0, m.start - 3):m.start] + ln.text[m.end:m.end + 3]))
            w = weight * (2.0 if near else 1.0) * ln.conf(m.start, m.end)
            if m.code:
                score[m.code] += w
                boxes.setdefault(m.code, ln.boxes(m.start, m.end))
            else:
                ambiguous[m.kind] += w
                boxes.setdefault(m.kind, ln.boxes(m.start, m.end))
    hints = hints_fn(None)
    if score:
        ranked = sorted(score.items(), key=lambda kv: -kv[1])
        code, s = ranked[0]
        second = ranked[1][1] if len(ranked) > 1 else 0.0
        conf = 0.97 if s >= 3 and second <= s / 4 else 0.85 if second < s / 2 else 0.5
        if s < 1.5:
            conf = min(conf, 0.75)
        amb_total = sum(ambiguous.values())
        if amb_total > s:  # e.g. "$" everywhere, one stray code
            kind = ambiguous.most_common(1)[0][0]
            rcode, _ = resolve(kind, hints)
            if rcode != code:
                conf = min(conf, 0.6)
        return FieldValue(code, conf, boxes.get(code, [])), hints
    if ambiguous:
        kind = ambiguous.most_common(1)[0][0]
        code, conf = resolve(kind, hints)
        return FieldValue(code, conf, boxes.get(kind, [])), hints
    # No symbol at all: the country's currency, weakly.
    cc, cconf = best_country(hints)
    cur = currency_of_country(cc)
    if cur:
        return FieldValue(cur, min(0.4, cconf * 0.5), []), hints
    return FieldValue.missing(), hints


# ---------------------------------------------------------------- items and total

def _amount_is_last(row: Row, a: Amount) -> bool:
    rest = row.line.text[a.end:]
    rest = re.sub(r"[A-Z]{3}|[€$£฿]|Rp|RM|kr|Fr\.|Dhs|บาท|Baht|[.\-,:)\s]", "", rest)
    return not rest


def _priced(r: Row) -> bool:
    """A row that ends in an amount with cents ("Labor: CRP   68,00"): an item, though it reads
    like "label: value"."""
    a = r.amounts[-1] if r.amounts else None
    return a is not None and _amount_is_last(r, a) and bool(re.search(r"[.,]\d{2}$", r.line.text[a.start:a.end]))


def _mark_items(rows: list[Row]) -> None:
    header_idx = [i for i, r in enumerate(rows) if _is_header(r)]
    for i in header_idx:
        rows[i].is_header = True
    if header_idx:
        start = header_idx[0] + 1
    else:
        meta = [i for i, r in enumerate(rows[:max(1, len(rows) // 2 + 1)])
                if r.dates or L.NUMBER_LABEL.search(r.line.folded) or L.PATIENT_LABEL.search(r.line.folded)
                or L.FIELD_LINE.search(r.line.folded)
                or (re.match(r"^\s*[^\W\d][^:]{0,30}:\s*\S", r.line.text) and not _priced(r))
                or re.fullmatch(r"[-_=*. ]{5,}", r.line.text.strip())]
        start = meta[-1] + 1 if meta else 0
    end = len(rows)
    for i in range(start, len(rows)):
        r = rows[i]
        if r.category in SUMMARY - {"carried", "page", "vat"} and r.cat_start <= 3 and \
                (r.amounts or r.category in ("total_strong", "subtotal")):
            end = i
            break
    for i in range(start, end):
        r = rows[i]
        if r.is_header:
            continue
        if not r.amounts or not _amount_is_last(r, r.amounts[-1]):
            nxt = rows[i + 1] if i + 1 < end else None
            if nxt and _amount_only(nxt) and has_letters(r.line.text, 3) and r.category is None \
                    and not r.dates and not L.FIELD_LINE.search(r.line.folded) and ":" not in r.line.text:
                r.amount_row = nxt
                r.in_items = True
            continue
        if r.category in SUMMARY and r.cat_start <= 3:
            continue
        if _page_or_carried(r) or L.FIELD_LINE.search(r.label):
            continue
        nl = L.NUMBER_LABEL.search(r.label)
        if nl and nl.group(0) not in _GENERIC_NO:
            continue
        a = r.amounts[-1]
        if not _amount_is_last(r, a) or re.search(r":\s*$", r.line.text[:r.amounts[0].start]):
            continue  # "MRN: 329931" is a field, not an item
        desc = _description(r)
        if not has_letters(desc, 2):
            continue
        if L.FIELD_LINE.search(r.line.folded[:a.start]) and not header_idx:
            continue
        if not header_idx and (L.DATE_GENERIC.search(r.label) or L.NUMBER_LABEL.search(r.label)
                               or L.PATIENT_LABEL.search(r.label)):
            continue
        r.in_items = True


_GENERIC_NO = ("no.", "nr.", "numero", "n°", "nº")


def _page_or_carried(r: Row) -> bool:
    fl = r.line.folded
    m = L.SUMMARY_NEGATIVE["carried"].search(fl)
    first = r.amounts[0].start if r.amounts else len(fl)
    if m and m.start() <= 4 and not has_letters(L.SUMMARY_NEGATIVE["carried"].sub("", fl[:first]), 3):
        return True
    return bool(L.SUMMARY_NEGATIVE["page"].search(fl))


def _is_header(r: Row) -> bool:
    if r.dates or r.amounts or (r.category in SUMMARY and r.category != "total_weak"):
        return False
    hits = {m.group(0) for m in L.HEADER_WORDS.finditer(r.line.folded)}
    strong = {m.group(0) for m in L.HEADER_STRONG.finditer(r.line.folded)}
    return len(hits) >= 2 and bool(strong)


def _description(r: Row) -> str:
    """Text columns of the row left of its amount, without dates, numbers, codes and currency."""
    text = r.line.text
    last = r.amounts[-1].start if r.amounts else len(text)
    head = text[:last]
    for d in r.dates:
        if d.end <= last:
            head = head[:d.start] + " " * (d.end - d.start) + head[d.end:]
    parts = [p.strip() for p in re.split(r"\s{2,}", head) if p.strip()]
    parts = [p for p in parts if has_letters(p, 2) and not _CUR_ONLY.fullmatch(p)]
    if len(parts) > 1:
        words = [p for p in parts if not _CODE.fullmatch(p)]
        parts = words or parts[-1:]
    desc = re.sub(r"^[\W_]+(?=\w)", "", " ".join(parts))  # OCR specks before the text
    m = re.search(r"\s*\(?([A-Z]{3}|[€$£฿])\)?\s*$", desc)
    if m and (m.group(1) in CODES or len(m.group(1)) == 1):
        desc = desc[:m.start()]
    return desc.strip(" -")


_CODE = re.compile(r"[A-Z0-9][A-Z0-9 .\-/]{0,8}|[A-Za-z]{0,4}[- ]?\d[\w.\-/]*")
_CUR_ONLY = re.compile(r"[A-Z]{3}|[€$£฿]|Rp|RM|S\$|R\$|Fr\.|Dhs|Baht|บาท")


def _amount_only(r: Row) -> bool:
    if len(r.amounts) != 1 or r.category is not None:
        return False
    a = r.amounts[0]
    rest = r.line.text[:a.start] + r.line.text[a.end:]
    return not has_letters(_CUR_ONLY.sub("", rest), 1)


def _row_box(r: Row) -> list[float]:
    ws = r.line.words
    return [r.line.page, round(min(w.x0 for w in ws), 1), round(min(w.y0 for w in ws), 1),
            round(max(w.x1 for w in ws), 1), round(max(w.y1 for w in ws), 1)]


def _items(rows: list[Row]) -> list[LineItem]:
    out = []
    for r in rows:
        if not r.in_items:
            continue
        if r.amount_row is not None:
            ar = r.amount_row
            a = ar.amounts[0]
            desc = re.sub(r"\s+", " ", r.line.text).strip()
            conf = 0.8 * min(ar.line.conf(a.start, a.end), r.line.conf(0, len(r.line.text)))
            boxes = [_row_box(r), _row_box(ar)]
        else:
            a = r.amounts[-1]
            desc = _description(r)
            conf = 0.9 * r.line.conf(a.start, a.end)
            boxes = [_row_box(r)]
        if a.ambiguous:
            conf *= 0.7
        out.append(LineItem(desc, a.value, round(conf, 3), boxes))
    return out


def _row_amount(rows: list[Row], i: int) -> tuple[Row, Amount] | None:
    r = rows[i]
    if r.amounts:
        return r, r.amounts[-1]
    # label alone on its row: the amount may sit on the next row
    if i + 1 < len(rows) and _amount_only(rows[i + 1]):
        return rows[i + 1], rows[i + 1].amounts[0]
    return None


def _total(rows: list[Row], items: list[LineItem], ex: Extraction) -> FieldValue:
    sums: dict[str, list[Decimal]] = {}
    cands = []
    for i, r in enumerate(rows):
        if r.category is None:
            continue
        got = _row_amount(rows, i)
        if not got:
            continue
        row, a = got
        if r.category not in ("total_strong", "total_weak") and L.FIELD_LINE.search(r.label):
            continue  # "VAT Reg No ...", "Tax ID ..."
        sums.setdefault(r.category, []).append(abs(a.value))
        if r.category in ("total_strong", "total_weak"):
            cands.append((r.category, i, row, a))
    item_sum = sum((it.amount for it in items), Decimal(0))
    vats = _options(sums.get("vat", []))
    discs = _options(sums.get("discount", []))
    subs = sums.get("subtotal", [])

    # what was paid and what is left add up to the total, too
    paid = sums.get("insurance", []) + sums.get("deposit", [])
    left = sums.get("share", []) + sums.get("balance", [])
    splits = [a + b for a in paid for b in left]

    def consistent(v: Decimal) -> bool:
        bases = ([item_sum] if items else []) + subs
        return v != 0 and (v in splits or any(b + t - d == v for b in bases for t in vats for d in discs))

    if not cands:
        if items and item_sum > 0:
            value = item_sum - max(discs) + max(vats)
            return FieldValue(value, 0.9 if value in splits else 0.45, [])
        return FieldValue.missing()
    strength = {"total_strong": 2, "total_weak": 1}
    scored = []
    for cat, i, row, a in cands:
        s = strength[cat] + (2 if consistent(a.value) else 0) + i / (10 * len(rows))
        if a.value <= 0:
            s -= 3
        scored.append((s, cat, i, row, a))
    scored.sort(key=lambda t: t[0], reverse=True)
    s, cat, i, row, a = scored[0]
    others = {t[4].value for t in scored[1:] if t[1] == cat and t[4].value != a.value}
    ok = consistent(a.value)
    if ok:
        conf = 0.98
        if items and not (item_sum in subs or any(item_sum + t - d == a.value for t in vats for d in discs)):
            # the total stands (paid + left), but the line items do not add up to it: a line was
            # missed or misread, and the treatment type is read from the lines
            ex.review_reasons.append("line_items_mismatch")
    elif items or subs:
        conf = 0.55
        ex.review_reasons.append("line_items_mismatch")
    else:
        conf = 0.88 if cat == "total_strong" else 0.8
    if others and not ok:
        conf = min(conf, 0.5)
    if a.ambiguous and not ok:
        conf *= 0.6
    conf *= _ocr_factor(row.line.conf(a.start, a.end))
    boxes = row.line.boxes(a.start, a.end)
    if not ok:
        agreed = _agreed_total(item_sum if items else None, subs, vats, discs, splits)
        if agreed is not None and agreed != a.value:
            # the printed total disagrees (often an OCR digit), two other readings agree: use them,
            # but keep it below any auto-processing threshold
            return FieldValue(agreed, round(min(conf, 0.6), 3), boxes)
    return FieldValue(a.value, round(conf, 3), boxes)


def _agreed_total(item_sum, subs, vats, discs, splits) -> Decimal | None:
    """A total that two independent readings support: items/subtotal arithmetic equal to
    paid + left (insurance or deposit, and the rest). A base alone is not enough: a VAT row
    OCR could not read would make it wrong."""
    found = set()
    bases = ([item_sum] if item_sum is not None else []) + subs
    found |= {b + t - d for b in bases for t in vats for d in discs} & set(splits)
    found.discard(Decimal(0))
    return found.pop() if len(found) == 1 else None


def _options(values: list[Decimal]) -> set[Decimal]:
    """0, each value, and their sum (a stray number on a tax-id row must not spoil the check)."""
    return {Decimal(0), sum(values, Decimal(0)), *values}


def _doc_quality(pages: list[Page]) -> float:
    """1.0 for a clean text layer or OCR; lower when most OCR words are shaky (e.g. upside down)."""
    confs = [w.conf for p in pages for w in p.words if w.text and w.text.strip()]
    if not confs:
        return 0.0
    mean = sum(confs) / len(confs)
    return 1.0 if mean >= 0.65 else max(0.2, mean / 0.65)


def _ocr_factor(c: float) -> float:
    if c >= 0.85:
        return 1.0
    return max(0.3, c / 0.85)


# ---------------------------------------------------------------- dates

def _date_label(rows: list[Row], i: int, h: DateHit) -> str:
    r = rows[i]
    before = r.line.folded[:h.start]
    seg = re.split(r"\s{2,}", before.rstrip())
    left = seg[-1] if seg and before.strip() and not before.endswith("  ") else ""
    if not left and before.strip():
        left = before.strip()[-40:]
    if has_letters(left, 2):
        return left
    # label on the row above, roughly the same column (not a table header: that is a service date)
    if i > 0 and rows[i - 1].line.page == r.line.page and not rows[i - 1].is_header \
            and not L.HEADER_STRONG.search(rows[i - 1].line.folded):
        up = rows[i - 1].line
        x = r.line.words_in(h.start, h.end)
        x0 = x[0].x0 if x else 0
        near = [w.text for w in up.words if abs(w.x0 - x0) < 150 or (w.x0 <= x0 <= w.x1 + 100)]
        return fold(" ".join(near))
    return ""


def _invoice_date(rows: list[Row], country: str | None, cconf: float) -> FieldValue:
    orders = Counter(h.order for r in rows for h in r.dates if h.order in ("dmy", "mdy"))
    doc_order = None
    if orders:
        o = orders.most_common()
        if len(o) == 1:
            doc_order = o[0][0]
    cands = []
    for i, r in enumerate(rows):
        for h in r.dates:
            lab = _date_label(rows, i, h)
            m_inv = L.DATE_INVOICE.search(lab)
            m_oth = L.DATE_OTHER.search(lab)
            if m_inv and not (m_oth and m_oth.start() < m_inv.start()):
                score = 3.0
            elif m_oth:
                score = -1.0
            elif r.in_items or r.is_header:
                score = -0.5  # a service date on an item row
            elif L.DATE_GENERIC.search(lab):
                score = 2.0
            else:
                score = 0.5
            value, ofac = resolve_order(h, country, doc_order, cconf)
            cands.append((score, i, h, value, ofac, r))
    if not cands:
        return FieldValue.missing()
    best = max(c[0] for c in cands)
    top = [c for c in cands if c[0] == best]
    values = {c[3] for c in top}
    score, i, h, value, ofac, r = top[0]
    if best >= 3:
        conf = 0.97
    elif best >= 2:
        conf = 0.92
    elif best >= 0.5:
        distinct = {c[3] for c in cands if c[0] >= 0.5}
        conf = 0.6 if len(distinct) == 1 else 0.35
    else:
        conf = 0.2
    if len(values) > 1:
        conf = min(conf, 0.45)
    conf *= ofac * _ocr_factor(r.line.conf(h.start, h.end))
    return FieldValue(value, round(conf, 3), r.line.boxes(h.start, h.end))


# ---------------------------------------------------------------- names and numbers

def _value_after(rows: list[Row], i: int, end: int, pattern: str) -> tuple[Row, int, int] | None:
    r = rows[i]
    rest = r.line.text[end:]
    m = re.match(r"[\s:#.\-/«»\"'“”‘’?°º]*", rest)
    off = end + (m.end() if m else 0)
    seg = re.split(r"\s{2,}", r.line.text[off:])[0] if r.line.text[off:] else ""
    mm = re.match(pattern, seg)
    if mm and mm.group(0).strip():
        return r, off + mm.start(), off + mm.end()
    if i + 1 < len(rows) and rows[i + 1].line.page == r.line.page:
        nxt = rows[i + 1]
        x0 = r.line.words_in(0, end)[0].x0 if r.line.words_in(0, end) else 0
        for w, (a, b) in zip(nxt.line.words, nxt.line.spans):
            if abs(w.x0 - x0) < 40:
                seg = re.split(r"\s{2,}", nxt.line.text[a:])[0]
                mm = re.match(pattern, seg)
                if mm and mm.group(0).strip():
                    return nxt, a + mm.start(), a + mm.end()
                break
    return None


def _invoice_number(rows: list[Row]) -> FieldValue:
    pat = r"[A-Za-z]{0,6}[-/ ]?[A-Z0-9]*\d[A-Za-z0-9\-/.]*"
    best = None
    for i, r in enumerate(rows):
        fl = r.line.folded
        for m in L.NUMBER_LABEL.finditer(fl):
            seg_start = fl.rfind("  ", 0, m.start())
            ctx = fl[max(0, m.start() - 20, seg_start + 2 if seg_start >= 0 else 0):m.end()]
            if L.NUMBER_NEGATIVE.search(ctx):
                continue
            generic = m.group(0) in ("no.", "nr.", "numero", "n°", "nº", "เลขที่")
            got = _value_after(rows, i, m.end(), pat)
            if not got:
                continue
            row, a, b = got
            val = row.line.text[a:b].strip().rstrip(".")
            if len(val) < 2 or find_dates(val):
                continue
            conf = (0.7 if generic else 0.92) * _ocr_factor(row.line.conf(a, b))
            key = (not generic, conf)
            if best is None or key > best[0]:
                best = (key, FieldValue(val, round(conf, 3), row.line.boxes(a, b)))
    return best[1] if best else FieldValue.missing()


_NAME = r"[^\W\d_][^\d:]*[^\W\d_]\.?"


def _patient(rows: list[Row]) -> FieldValue:
    for i, r in enumerate(rows):
        fl = r.line.folded
        for m in L.PATIENT_LABEL.finditer(fl):
            after = fl[m.end():m.end() + 12]
            if L.PATIENT_NEGATIVE.match(after.strip(" /:(").split(" ")[0] if after.strip() else ""):
                continue
            if L.PATIENT_NEGATIVE.search(fl[max(0, m.start() - 12):m.start()]):
                continue
            got = _value_after(rows, i, m.end(), _NAME)
            if not got:
                continue
            row, a, b = got
            val = re.sub(r"\s+", " ", row.line.text[a:b]).strip(" :/")
            if not has_letters(val, 3) or L.PATIENT_LABEL.fullmatch(fold(val)):
                continue
            val = re.sub(r"^(?:name|naam|nom|nombre|nome|ชื่อ)\s*[:/]?\s*", "", val, flags=re.I).strip()
            if not val:
                continue
            conf = 0.88 * _ocr_factor(row.line.conf(a, b))
            return FieldValue(val, round(conf, 3), row.line.boxes(a, b))
    return FieldValue.missing()


def _provider(rows: list[Row], patient: str | None) -> FieldValue:
    first_page = [r for r in rows if r.line.page == rows[0].line.page][:12] if rows else []
    cands = []
    for k, r in enumerate(first_page):
        for seg, start in _loose_segments(r.line):
            fs = fold(seg)
            if not _provider_like(seg, fs, r, patient):
                continue
            org = bool(L.ORG_WORDS.search(fs))
            score = (1 if org else 0) - k * 0.6 - (1.5 if re.search(r"\d", seg) else 0)
            cands.append((score, k, r, seg, org, start))
    if not cands:
        return FieldValue.missing()
    cands.sort(key=lambda c: (-c[0], c[1]))
    score, k, r, seg, org, start = cands[0]
    conf = (0.85 if org else 0.6) * _ocr_factor(r.line.conf(start, start + len(seg)))
    return FieldValue(seg, round(conf, 3), r.line.boxes(start, start + len(seg)))


def _loose_segments(line: Line) -> list[tuple[str, int]]:
    """Row text split only at wide gaps (letterheads use large, widely spaced type)."""
    ws = line.words
    hs = sorted(w.y1 - w.y0 for w in ws)
    row_h = max(1.0, hs[len(hs) // 2]) if hs else 1.0
    out: list[tuple[str, int]] = []
    first = 0
    for i in range(1, len(ws) + 1):
        if i == len(ws) or ws[i].x0 - ws[i - 1].x1 > 2.0 * row_h:
            a, b = line.spans[first][0], line.spans[i - 1][1]
            out.append((re.sub(r"\s+", " ", line.text[a:b]).strip(), a))
            first = i
    return out


def _provider_like(seg: str, fs: str, r: Row, patient: str | None) -> bool:
    if not has_letters(seg, 3) or (patient and fold(patient) == fs):
        return False
    if L.TITLE_WORDS.fullmatch(fs.strip(" :")) or re.match(r"^\d", seg) or L.FIELD_LINE.search(fs):
        return False
    if L.PATIENT_LABEL.search(fs) or find_dates(seg) or L.NUMBER_LABEL.search(fs):
        return False
    if ("/" in seg and L.TITLE_WORDS.search(fs)) or _COUNTRY_ONLY.fullmatch(fs):
        return False
    return True


_COUNTRY_ONLY = re.compile(r"(?:united states|usa|uk|united kingdom|united arab emirates|uae|nederland|deutschland|"
                           r"espana|italia|portugal|brasil|mexico|france|schweiz|suisse|belgie|belgique|"
                           r"thailand|ประเทศไทย|singapore|malaysia|indonesia|[a-z ]+, [a-z]{2}\.?)")


# ---------------------------------------------------------------- main

def _extract(pages: list[Page]) -> Extraction:
    ex = Extraction()
    ex.text = "\n".join(p.text() for p in pages)
    lines = build_lines(pages)
    if not lines or not has_letters(ex.text, 2):
        return ex
    ex.language = detect_language(ex.text)

    def hints_fn(cur):
        return country_hints(ex.text, cur)

    ex.currency, _ = _currency(lines, hints_fn)
    cur = ex.currency.value
    # only a currency read with confidence is evidence for the country (no loop back from a guess)
    ex.country_hints = hints_fn(cur if ex.currency.confidence >= 0.8 else None)
    cc, cconf = best_country(ex.country_hints)
    if cc:
        ex.country = FieldValue(cc, cconf, [])
    dates_of = [find_dates(ln.text) for ln in lines]  # read only by both
    numbers = _numbers(lines, dates_of)
    rows = _rows(lines, dates_of, numbers, _doc_decimal(lines, numbers), minor_units(cur))
    _mark_items(rows)
    ex.line_items = _items(rows)
    ex.total_amount = _total(rows, ex.line_items, ex)
    ex.invoice_date = _invoice_date(rows, cc if cconf >= 0.5 else None, cconf)
    quality = _doc_quality(pages)
    for name in ("invoice_date", "total_amount", "currency", "country"):
        fv = getattr(ex, name)
        fv.confidence = round(fv.confidence * quality, 3)
    ex.invoice_number = _invoice_number(rows)
    ex.patient_name = _patient(rows)
    ex.provider_name = _provider(rows, ex.patient_name.value)
    if ex.total_amount.value is not None and ex.currency.value is None:
        ex.currency = FieldValue(None, 0.0, [])
    return ex
