"""The insured-person file (contract: JSON or YAML), parsed and validated; never a default."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

PRODUCTS = ("oom_international", "voorlopig_verblijf_nl")
COVERAGES = ("plus", "top")
REGIONS = ("A", "B+", "B", "C+", "C")
SEXES = ("female", "male", "other")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


class FieldError(ValueError):
    """Bad input whose `.field` names the offending key."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class InsuredError(FieldError):
    """A bad insured-person file; `.field` names the offending key (e.g. `region`)."""


@dataclass(frozen=True)
class PriorAuthorisation:
    reference: str
    treatment_type: str
    country: str | None
    valid_from: date
    valid_to: date


@dataclass(frozen=True)
class InsuredPerson:
    insured_id: str
    product: str
    coverage: str | None  # plus | top (oom_international), None for voorlopig_verblijf_nl
    region: str | None
    deductible_eur: Decimal
    insurance_year_start: date
    policy_start: date
    policy_end: date | None
    date_of_birth: date
    sex: str | None = None
    country_of_origin: str | None = None
    nationality: str | None = None
    modules: tuple[str, ...] = ()
    prior_authorisations: tuple[PriorAuthorisation, ...] = ()
    dutch_basic_insurance_duty: bool | None = None
    premium_arrears: bool = False
    raw: dict = field(default_factory=dict, compare=False, hash=False)

    @cached_property
    def raw_json(self) -> str:
        """The insured file as JSON text (stored as the `insured` row's profile)."""
        return json.dumps(self.raw, sort_keys=True, default=str)

    @property
    def level(self) -> str:
        """The column of the policy table: `plus`/`top`, or `all` for single-level products."""
        return self.coverage or "all"


def _date(data: dict, key: str, required: bool, label: str | None = None) -> date | None:
    label = label or key
    value = data.get(key)
    if value is None or value == "":
        if required:
            raise InsuredError(label, "missing (a date YYYY-MM-DD is required)")
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InsuredError(label, f"not a date YYYY-MM-DD: {value!r}") from None


def _country(data: dict, key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not _COUNTRY.match(value.upper()):
        raise InsuredError(key, f"not an ISO 3166-1 alpha-2 code: {value!r}")
    return value.upper()


def _bool(data: dict, key: str) -> bool | None:
    value = data.get(key)
    if value is None or isinstance(value, bool):
        return value
    raise InsuredError(key, f"must be true or false, got {value!r}")


def _deductible(data: dict) -> Decimal:
    if "deductible_eur" not in data or data["deductible_eur"] is None:
        raise InsuredError("deductible_eur", "missing (use 0 for no deductible)")
    value = data["deductible_eur"]
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise InsuredError("deductible_eur", f"not a number: {value!r}")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise InsuredError("deductible_eur", f"not a number: {value!r}") from None
    if not amount.is_finite():
        raise InsuredError("deductible_eur", f"not a number: {value!r}")
    if amount < 0:
        raise InsuredError("deductible_eur", f"must not be negative: {value!r}")
    return amount.quantize(Decimal("0.01"))


def _authorisations(data: dict) -> tuple[PriorAuthorisation, ...]:
    items = data.get("prior_authorisations") or []
    if not isinstance(items, list):
        raise InsuredError("prior_authorisations", "must be a list")
    out = []
    for i, item in enumerate(items):
        label = f"prior_authorisations[{i}]"
        if not isinstance(item, dict):
            raise InsuredError(label, "must be a mapping")
        ttype = item.get("treatment_type")
        if not isinstance(ttype, str) or not ttype:
            raise InsuredError(f"{label}.treatment_type", "missing")
        start = _date(item, "valid_from", True, f"{label}.valid_from")
        end = _date(item, "valid_to", True, f"{label}.valid_to")
        if end < start:
            raise InsuredError(f"{label}.valid_to", "is before valid_from")
        country = item.get("country")
        if country is not None and (not isinstance(country, str) or not _COUNTRY.match(country.upper())):
            raise InsuredError(f"{label}.country", f"not an ISO 3166-1 alpha-2 code: {country!r}")
        out.append(PriorAuthorisation(str(item.get("reference") or ""), ttype,
                                      country.upper() if country else None, start, end))
    return tuple(out)


def parse_insured(data: Any) -> InsuredPerson:
    """Validate a parsed insured file; raises InsuredError naming the first bad field."""
    if not isinstance(data, dict):
        raise InsuredError("insured_id", "the file is not a mapping of insured-person fields")
    insured_id = data.get("insured_id")
    if insured_id is None or not str(insured_id).strip():
        raise InsuredError("insured_id", "missing")
    insured_id = str(insured_id).strip()
    if len(insured_id) > 64:
        raise InsuredError("insured_id", "longer than 64 characters")
    product = data.get("product")
    if product is None:
        raise InsuredError("product", f"missing (one of {', '.join(PRODUCTS)})")
    if product not in PRODUCTS:
        raise InsuredError("product", f"unknown product {product!r} (one of {', '.join(PRODUCTS)})")
    coverage = region = None
    if product == "oom_international":
        coverage = data.get("coverage")
        if coverage is None:
            raise InsuredError("coverage", "missing (plus or top)")
        coverage = str(coverage).lower()
        if coverage not in COVERAGES:
            raise InsuredError("coverage", f"unknown coverage {data.get('coverage')!r} (plus or top)")
        region = data.get("region")
        if region is None:
            raise InsuredError("region", "missing (A, B+, B, C+ or C)")
        region = str(region).upper()
        if region not in REGIONS:
            raise InsuredError("region", f"unknown region {data.get('region')!r} (A, B+, B, C+ or C)")
    deductible = _deductible(data)
    policy_start = _date(data, "policy_start", True)
    policy_end = _date(data, "policy_end", False)
    if policy_end is not None and policy_end < policy_start:
        raise InsuredError("policy_end", "is before policy_start")
    year_start = _date(data, "insurance_year_start", product == "oom_international")
    if year_start is None:  # voorlopig_verblijf_nl: the insured period is the only period
        year_start = policy_start
    dob = _date(data, "date_of_birth", True)
    if dob > date.today():
        raise InsuredError("date_of_birth", "is in the future")
    sex = data.get("sex")
    if sex is not None and sex not in SEXES:
        raise InsuredError("sex", f"unknown sex {sex!r} (female, male or other)")
    modules = data.get("modules") or []
    if not isinstance(modules, list) or not all(isinstance(m, str) for m in modules):
        raise InsuredError("modules", "must be a list of module names")
    for m in modules:
        if m.startswith("dental") and _dental_amount(m) is None:
            raise InsuredError("modules", f"dental module {m!r} must be dental_<insured EUR per year>")
        if m == "zorgplan" and product != "oom_international":
            raise InsuredError("modules", "zorgplan is a module of OOM International only")
        if not m.startswith("dental") and m != "zorgplan":
            raise InsuredError("modules", f"unknown module {m!r} (dental_<EUR per year> or zorgplan)")
    return InsuredPerson(
        insured_id=insured_id, product=product, coverage=coverage, region=region,
        deductible_eur=deductible, insurance_year_start=year_start, policy_start=policy_start,
        policy_end=policy_end, date_of_birth=dob, sex=sex,
        country_of_origin=_country(data, "country_of_origin"), nationality=_country(data, "nationality"),
        modules=tuple(modules), prior_authorisations=_authorisations(data),
        dutch_basic_insurance_duty=_bool(data, "dutch_basic_insurance_duty"),
        premium_arrears=bool(_bool(data, "premium_arrears")),
        raw=json.loads(json.dumps(data, default=str)),
    )


def _dental_amount(module: str) -> Decimal | None:
    m = re.fullmatch(r"dental_(\d+(?:\.\d+)?)", module)
    return Decimal(m.group(1)) if m else None


def dental_module_amount(person: InsuredPerson) -> Decimal | None:
    """Insured EUR per year of the OOM Tandarts-dekking (`dental_<EUR>` in `modules`), or None."""
    for m in person.modules:
        amount = _dental_amount(m)
        if amount is not None:
            return amount
    return None


def load_insured(path: str | Path) -> InsuredPerson:
    """Read a JSON or YAML insured file; raises InsuredError (unreadable file -> field `file`)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InsuredError("file", f"cannot read {path}: {e}") from None
    return parse_insured(parse_text(text, InsuredError))


def parse_text(text: str, error: type) -> Any:
    """JSON, else YAML (a superset for our purposes)."""
    try:
        return json.loads(text)
    except ValueError:
        pass
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise error("file", f"neither JSON nor YAML: {e}") from None
