"""Reviewer edits: validation of field values, and the EUR amount and coverage they lead to."""
from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy.orm import Session

from coverage.tables import SETTINGS, TREATMENT_TYPES  # the taxonomy codes, one list

EDITABLE = ("total_amount", "currency", "invoice_date", "country", "treatment_type", "setting",
            "invoice_number", "provider_name", "patient_name")
LABELS = {"total_amount": "Total amount", "currency": "Currency", "invoice_date": "Invoice date",
          "country": "Country", "treatment_type": "Treatment type", "setting": "Setting",
          "invoice_number": "Invoice number", "provider_name": "Provider",
          "patient_name": "Patient"}
MAX_AMOUNT = Decimal("100000000")


def _amount(text: str) -> str:
    t = text.replace(" ", "").replace("\u00a0", "")
    if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d{1,2})?|\d+(\.\d{1,2})?", t):
        t = t.replace(",", "")
    elif re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d{1,2})?|\d+(,\d{1,2})?", t):
        t = t.replace(".", "").replace(",", ".")
    else:
        raise ValueError("an amount like 1234.50")
    try:
        value = Decimal(t)
    except InvalidOperation:
        raise ValueError("an amount like 1234.50")
    if value >= MAX_AMOUNT:
        raise ValueError("amount too large")
    return str(value.quantize(Decimal("0.01")))


def _date(text: str) -> str:
    try:
        d = date.fromisoformat(text)
    except ValueError:
        raise ValueError("a date as YYYY-MM-DD")
    if d.year < 1990 or d > date.today() + timedelta(days=1):
        raise ValueError("the date must be between 1990 and today")
    return d.isoformat()


def _currency(text: str) -> str:
    import pycountry

    t = text.upper()
    if not re.fullmatch(r"[A-Z]{3}", t) or pycountry.currencies.get(alpha_3=t) is None:
        raise ValueError("an ISO 4217 code such as EUR")
    return t


def _country(text: str) -> str:
    import pycountry

    t = text.upper()
    if not re.fullmatch(r"[A-Z]{2}", t) or pycountry.countries.get(alpha_2=t) is None:
        raise ValueError("an ISO 3166 code such as DE")
    return t


def _choice(options):
    def check(text: str) -> str:
        if text not in options:
            raise ValueError("one of " + ", ".join(options))
        return text
    return check


def _text(text: str) -> str:
    if len(text) > 200:
        raise ValueError("at most 200 characters")
    return text


CHECKS = {"total_amount": _amount, "invoice_date": _date, "currency": _currency,
          "country": _country, "treatment_type": _choice(TREATMENT_TYPES),
          "setting": _choice(SETTINGS), "invoice_number": _text, "provider_name": _text,
          "patient_name": _text}


def fact_spec() -> list[tuple[str, object]]:
    """The facts a reviewer may give the coverage check: (name, kind) from coverage.claim."""
    try:
        from coverage.claim import FACTS
    except ImportError:
        return []
    return sorted(FACTS.items())


def validate_facts(submitted: dict) -> tuple[dict, dict[str, str]]:
    """Form values `fact.<name>` -> (facts as JSON values, errors by `facts.<name>`)."""
    raw: dict = {}
    for name, kind in fact_spec():
        text = str(submitted.get(f"fact.{name}") or "").strip()
        if not text:
            continue
        if kind == "bool":
            if text not in ("yes", "no"):
                return {}, {f"facts.{name}": "yes or no"}
            raw[name] = text == "yes"
        else:
            raw[name] = text
    if not raw:
        return {}, {}
    from coverage.claim import ClaimError, parse_facts

    try:
        parsed = parse_facts(raw)
    except ClaimError as e:
        return {}, {e.field: e.message}
    return {k: v if isinstance(v, (bool, int)) else str(raw[k]) for k, v in parsed.items()}, {}


def validate(current: dict, submitted: dict) -> tuple[dict, dict[str, str]]:
    """(the fields with the submitted edits applied, errors by field). Blank means null.
    Facts for the coverage check (`fact.<name>`) go to fields["facts"]."""
    fields = dict(current)
    facts, errs = validate_facts(submitted)
    if facts:
        fields["facts"] = facts
    for name in EDITABLE:
        if name not in submitted:
            continue
        text = str(submitted[name] or "").strip()
        if not text:
            fields[name] = None
            continue
        try:
            fields[name] = CHECKS[name](text)
        except ValueError as e:
            errs[name] = str(e)
    return fields, errs


def changes(before: dict, after: dict) -> dict[str, tuple]:
    return {k: (before.get(k), after.get(k)) for k in EDITABLE if before.get(k) != after.get(k)}


# --- line items ----------------------------------------------------------------------------
# Form keys: `line_items` (present when the page's line editor was submitted: the rows sent are
# then the whole list) and `line_items[i].description|amount|treatment_type`. `i` is the line's
# position in the predicted list; lines added by the reviewer are numbered after those. A row
# left out (or sent all blank) is removed. Audit/correction names use the same `i`.

LINE_PARTS = ("description", "amount", "treatment_type")
LINE_KEY = re.compile(r"line_items\[(\d{1,4})\]\.(description|amount|treatment_type)")
LINE_CHECKS = {"description": _text, "amount": _amount, "treatment_type": _choice(TREATMENT_TYPES)}
MAX_LINES = 200


def line_key(i: int, part: str | None = None) -> str:
    return f"line_items[{i}]" + (f".{part}" if part else "")


def label(name: str) -> str:
    """`total_amount` -> "Total amount", `line_items[2].amount` -> "Line 3 amount"."""
    m = re.fullmatch(r"line_items\[(\d+)\](?:\.(\w+))?", name)
    if m:
        return f"Line {int(m[1]) + 1}" + (f" {m[2].replace('_', ' ')}" if m[2] else "")
    return LABELS.get(name) or ("Line items" if name == "line_items" else name)


def shown(value) -> str:
    """A value as the page shows it in an input."""
    return "" if value is None else str(value)


def edit_lines(current: list, submitted: dict) -> tuple[list | None, list, dict]:
    """(the new line list, or None when no line editor was submitted; edits as
    [(name, before, after)] in line order; errors by `line_items[i].part`)."""
    if "line_items" not in submitted:
        return None, [], {}
    current = list(current or [])
    rows: dict[int, dict] = {}
    for key, value in submitted.items():
        m = LINE_KEY.fullmatch(key)
        if m:
            rows.setdefault(int(m[1]), {})[m[2]] = str(value or "")
    lines, found, errs = [], [], {}
    kept = set()
    for i in sorted(rows):
        raw = rows[i]
        old = current[i] if i < len(current) and isinstance(current[i], dict) else None
        if not any(v.strip() for v in raw.values()):
            continue  # an all-blank row is no line
        line = dict(old) if old is not None else {"description": "", "amount": None,
                                                  "treatment_type": None}
        for part in LINE_PARTS:
            if part not in raw or (old is not None and raw[part] == shown(old.get(part))):
                continue  # not sent, or untouched
            text = raw[part].strip()
            if not text:
                line[part] = "" if part == "description" else None
                continue
            try:
                line[part] = LINE_CHECKS[part](text)
            except ValueError as e:
                errs[line_key(i, part)] = str(e)
        if old is None:
            found.append((i, -1, line_key(i), None, line))
        else:
            kept.add(i)
            found += [(i, n, line_key(i, p), old.get(p), line.get(p))
                      for n, p in enumerate(LINE_PARTS) if old.get(p) != line.get(p)]
        lines.append(line)
    found += [(i, -1, line_key(i), old, None) for i, old in enumerate(current) if i not in kept]
    if len(lines) > MAX_LINES:
        errs["line_items"] = f"at most {MAX_LINES} lines"
    return lines, [f[2:] for f in sorted(found, key=lambda f: f[:2])], errs


def apply(current: dict, submitted: dict) -> tuple[dict, dict[str, tuple], dict[str, str]]:
    """(fields with the edits applied, edits by field name -> (before, after), errors by field).
    Field names are EDITABLE names and `line_items[i]` / `line_items[i].part`."""
    fields, errs = validate(current, submitted)
    edits = changes(current, fields)
    lines, line_edits, line_errs = edit_lines(current.get("line_items") or [], submitted)
    if lines is not None:
        fields["line_items"] = lines
        edits.update((name, (old, new)) for name, old, new in line_edits)
        errs.update(line_errs)
    return fields, edits, errs


def lines_warning(fields: dict) -> str | None:
    """A note when the line amounts do not add up to the total (a warning, never a block)."""
    try:
        amounts = [Decimal(str(li["amount"])) for li in fields.get("line_items") or []
                   if isinstance(li, dict) and li.get("amount") not in (None, "")]
        total = Decimal(str(fields["total_amount"])) if fields.get("total_amount") else None
    except (InvalidOperation, ValueError):
        return None
    if not amounts or total is None:
        return None
    added = sum(amounts, Decimal("0"))
    if added == total:
        return None
    return (f"The line items add up to {added:.2f}, the total is {total:.2f} "
            f"(difference {added - total:+.2f}).")


def eur_for(session: Session, fields: dict):
    """(Conversion or None, message)."""
    missing = [k for k in ("total_amount", "currency", "invoice_date") if not fields.get(k)]
    if missing:
        return None, "missing " + ", ".join(missing)
    from pipeline.fx import NoRate, convert

    try:
        return convert(session, Decimal(fields["total_amount"]), fields["currency"],
                       date.fromisoformat(fields["invoice_date"])), None
    except NoRate as e:
        return None, e.reason


def coverage_for(session: Session, insured_id: str | None, fields: dict, conv, document_id: str):
    """(coverage object or None, message). Updates usage in `session`: roll back for a preview."""
    from review.worker import load_insured

    insured = load_insured(session, insured_id)
    if insured is None:
        return None, "insured person not known"
    if insured.person is None:
        return None, f"insured file invalid: {insured.error_field}"
    from pipeline.coverage_service import evaluate_claim

    return evaluate_claim(session, insured.person, fields, conv, document_id), None


def recompute(session: Session, insured_id: str | None, fields: dict, document_id: str) -> dict:
    conv, eur_msg = eur_for(session, fields)
    cov, cov_msg = coverage_for(session, insured_id, fields, conv, document_id)
    return {"eur": conv.as_contract() if conv is not None else None, "eur_message": eur_msg,
            "coverage": cov, "coverage_message": cov_msg}
