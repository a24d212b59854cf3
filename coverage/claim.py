"""The claim: the contract's `fields` plus optional reviewer-supplied `facts` (see README.md)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from coverage.insured import FieldError

SETTINGS = ("inpatient", "daycare", "outpatient")
REQUIRED = ("invoice_date", "country", "currency", "total_amount", "treatment_type")

# fact name -> kind; anything else in `facts` is an error naming it
FACTS = {
    "acute": "bool", "planned": "bool", "accident": "bool", "prescription": "bool",
    "dutch_basic_insurance_duty": "bool", "dental_special": "bool", "orthodontics": "bool", "diabetes_or_ra": "bool",
    "pregnancy_complication_before_32w": "bool", "official_request": "bool",
    "severe_skin_condition_face_neck": "bool", "primary_childlessness": "bool", "first_child": "bool",
    "sessions": "int", "days": "int", "hours": "decimal", "km": "decimal", "days_abroad": "int",
    "maternity_admission_days": "int",
    "dutch_tariff_eur": "decimal",
    "treatment_date": "date", "admission_date": "date", "submitted_on": "date",
    "delivery_date": "date",
    "event_ref": "str",
    "transport": ("ambulance", "taxi", "public_transport", "own_car"),
    "vaccination": ("exposure", "travel", "preventive"),
    "review_lines": ("covered", "not_covered"),  # the reviewer's answer to review_lines / spec review parts
}


class ClaimError(FieldError):
    """A bad claim file; `.field` names the offending key (e.g. `total_amount`, `facts.sessions`)."""


@dataclass(frozen=True)
class Line:
    description: str
    amount: Decimal
    treatment_type: str | None


@dataclass(frozen=True)
class Claim:
    invoice_date: date
    country: str
    currency: str
    total_amount: Decimal
    treatment_type: str
    setting: str | None
    lines: tuple[Line, ...] = ()
    facts: dict = field(default_factory=dict)

    @property
    def treatment_date(self) -> date:
        return self.facts.get("treatment_date") or self.invoice_date

    def text(self) -> str:
        return " | ".join(line.description for line in self.lines).lower()


def _decimal(value: Any, name: str) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise ClaimError(name, f"not a number: {value!r}")
    try:
        d = Decimal(str(value).strip())
    except InvalidOperation:
        raise ClaimError(name, f"not a number: {value!r}") from None
    if not d.is_finite():
        raise ClaimError(name, f"not a number: {value!r}")
    return d


def _date(value: Any, name: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ClaimError(name, f"not a date YYYY-MM-DD: {value!r}") from None


def parse_facts(raw: Any) -> dict:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ClaimError("facts", "must be a mapping")
    out = {}
    for key, value in raw.items():
        name = f"facts.{key}"
        kind = FACTS.get(key)
        if kind is None:
            raise ClaimError(name, f"unknown fact (known: {', '.join(sorted(FACTS))})")
        if value is None:
            continue
        if kind == "bool":
            if not isinstance(value, bool):
                raise ClaimError(name, f"must be true or false, got {value!r}")
        elif kind == "int":
            if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).isdigit():
                raise ClaimError(name, f"must be a whole number >= 0, got {value!r}")
            value = int(value)
        elif kind == "decimal":
            value = _decimal(value, name)
            if value < 0:
                raise ClaimError(name, "must not be negative")
        elif kind == "date":
            value = _date(value, name)
        elif kind == "str":
            value = str(value)
        elif value not in kind:
            raise ClaimError(name, f"must be one of {', '.join(kind)}, got {value!r}")
        out[key] = value
    return out


def parse_claim(fields: Any, facts: Any = None) -> Claim:
    """Validate `fields` (and optional `facts`); raises ClaimError naming the first bad field."""
    if not isinstance(fields, dict):
        raise ClaimError("fields", "the claim is not a mapping of invoice fields")
    for key in REQUIRED:
        if fields.get(key) in (None, ""):
            raise ClaimError(key, "missing")
    total = _decimal(fields["total_amount"], "total_amount")
    if total < 0:
        raise ClaimError("total_amount", "must not be negative")
    currency = str(fields["currency"]).upper()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise ClaimError("currency", f"not an ISO 4217 code: {fields['currency']!r}")
    country = str(fields["country"]).upper()
    if not re.fullmatch(r"[A-Z]{2}", country):
        raise ClaimError("country", f"not an ISO 3166-1 alpha-2 code: {fields['country']!r}")
    setting = fields.get("setting")
    if setting is not None and setting not in SETTINGS:
        raise ClaimError("setting", f"must be one of {', '.join(SETTINGS)}, got {setting!r}")
    items = fields.get("line_items") or []
    if not isinstance(items, list):
        raise ClaimError("line_items", "must be a list")
    lines = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise ClaimError(f"line_items[{i}]", "must be a mapping")
        if item.get("amount") in (None, ""):
            continue  # an unreadable line amount: the line cannot be priced, the total still stands
        amount = _decimal(item["amount"], f"line_items[{i}].amount")
        lines.append(Line(str(item.get("description") or ""), amount, item.get("treatment_type")))
    merged = dict(fields.get("extra") or {})
    facts = dict(facts or {})
    for src, dst in (("emergency", "acute"), ("planned", "planned"), ("admission_date", "admission_date")):
        if merged.get(src) is not None and dst not in facts:
            facts[dst] = merged[src]
    return Claim(
        invoice_date=_date(fields["invoice_date"], "invoice_date"), country=country, currency=currency,
        total_amount=total, treatment_type=str(fields["treatment_type"]), setting=setting,
        lines=tuple(lines), facts=parse_facts(facts),
    )
