"""Policy tables (one YAML file per product in coverage/policies), loaded and validated once.

A malformed table raises TableError naming the file and the key path, at start-up (`tables()`).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

POLICY_DIR = Path(__file__).parent / "policies"
TREATMENT_TYPES = (
    "general_practice", "medication", "specialist", "laboratory", "hospital_admission",
    "patient_transport", "transplant", "dialysis", "plastic_surgery", "rehabilitation",
    "accommodation", "vaccination", "physiotherapy", "occupational_therapy", "speech_therapy",
    "dietetics", "dental", "maternity", "fertility", "reproductive_health", "mental_health",
    "preventive_care", "medical_aids", "optical", "alternative_medicine", "dermatology",
    "foot_care", "repatriation", "other",
)
SETTINGS = ("inpatient", "daycare", "outpatient")
UNITS = ("sessions", "hours", "days", "km", "claims")
PERIODS = ("insurance_year", "two_years", "five_years", "lifetime", "event")
ARTICLE_KEYS = ("period", "deadline", "exclusions", "region", "prior_authorisation", "maximum",
                "deductible", "currency", "premium")
SPEC_KEYS = {"pct", "per_unit", "unit", "max_count", "cap", "period", "category", "requires",
             "approval", "approval_else_pct", "no_deductible", "worldwide", "module_cap", "cap_reduction",
             "review", "window"}
WHEN_KEYS = {"keywords", "invoice_keywords", "fact", "fact_equals", "age_below", "age_from", "module", "setting",
             "sex", "country", "days_at_most", "days_from"}
BOOL_FACTS = ("acute", "planned", "accident", "prescription", "dutch_basic_insurance_duty",
              "dental_special", "diabetes_or_ra", "pregnancy_complication_before_32w",
              "official_request", "orthodontics", "severe_skin_condition_face_neck", "primary_childlessness",
              "first_child")
INT_FACTS = ("sessions", "days", "days_abroad", "maternity_admission_days")
DATE_FACTS = ("delivery_date",)


class TableError(ValueError):
    def __init__(self, file: str, key: str, message: str):
        super().__init__(f"{file}: {key}: {message}")
        self.file, self.key, self.message = file, key, message


@dataclass(frozen=True)
class CapReduction:
    """The cap is lowered by `per` for each unit of a whole-number fact (asked with `question` if unknown)."""

    fact: str
    per: Decimal
    question: str


@dataclass(frozen=True)
class Window:
    """Only care within `days` days from the date fact `fact` (that day is day 1) is paid; care days
    (facts.days or "N dagen" in the lines) past it pro rata; an unknown date is asked with `question`."""

    fact: str
    days: int
    question: str


@dataclass(frozen=True)
class Spec:
    """What one variant pays at one coverage level."""

    pct: Decimal | None = None
    per_unit: Decimal | None = None
    unit: str | None = None
    max_count: int | None = None
    cap: Decimal | None = None
    period: str | None = None
    category: str | None = None
    requires: tuple[str, ...] = ()
    approval: bool = False
    approval_else_pct: Decimal | None = None
    no_deductible: bool = False
    worldwide: bool = False
    module_cap: str | None = None
    cap_reduction: CapReduction | None = None
    review: str | None = None  # a reviewer must decide: the question asked (pending_information)
    window: Window | None = None

    @property
    def needs_units(self) -> bool:
        return self.max_count is not None or self.per_unit is not None


@dataclass(frozen=True)
class Cond:
    keywords: re.Pattern | None = None
    invoice_keywords: re.Pattern | None = None  # searched in all line descriptions of the invoice
    fact: str | None = None
    fact_equals: tuple[tuple[str, str], ...] = ()
    age_below: int | None = None
    age_from: int | None = None
    module: str | None = None
    setting: tuple[str, ...] = ()
    sex: str | None = None
    country: tuple[str, ...] = ()
    days_at_most: int | None = None  # length of the stay (facts.days or "5 days" in the lines)
    days_from: int | None = None


@dataclass(frozen=True)
class Variant:
    name: str
    article: str
    when: tuple[Cond, ...]
    levels: dict  # level -> Spec, or None for not covered
    split: bool = False  # lines matching its keywords are evaluated as a part of their own


@dataclass(frozen=True)
class Otherwise:
    ask: tuple[str, ...] = ()
    code: str | None = None
    question: str = ""
    not_covered: str | None = None


@dataclass(frozen=True)
class Benefit:
    treatment_type: str
    article: str
    variants: tuple[Variant, ...]
    otherwise: Otherwise | None


@dataclass(frozen=True)
class Exclusion:
    code: str
    label: str
    pattern: re.Pattern


@dataclass(frozen=True)
class ReviewLine:
    """Lines naming a benefit the rows do not model: their own part, asked to a reviewer."""

    code: str
    article: str
    pattern: re.Pattern
    question: str
    except_types: tuple[str, ...] = ()  # rows that model it themselves
    art8_row: tuple[str, str] | None = None  # (type, variant): without Zorgplan, the only row that can pay it


@dataclass(frozen=True)
class AfterEnd:
    """A hospital stay that began in the policy period and runs past its end: how many days after the
    end date are still paid, at home and abroad (None = the whole stay)."""

    article: str
    home_days: int | None
    abroad_days: int | None


@dataclass(frozen=True)
class PolicyTable:
    product: str
    title: str
    version: str
    file: str
    levels: tuple[str, ...]
    period_unit: str
    policy_end_inclusive: bool
    claim_deadline_years: int
    articles: dict
    annual_maximum: dict
    exclusions: tuple[Exclusion, ...]
    deductible_exempt: tuple[str, ...]
    benefits: dict
    regions: dict = field(default_factory=dict)
    no_cover_countries: tuple[str, ...] = ()
    out_of_region_pct: Decimal | None = None
    home_country_duty: str | None = None
    prior_authorisation: tuple[tuple[frozenset, frozenset], ...] = ()
    area: frozenset = frozenset()
    home_country: str | None = None
    outside_home_days: int | None = None
    tariff_factor_abroad: int | None = None
    admission_after_end: AfterEnd | None = None
    admission_max_days: int | None = None  # one continuous hospital stay is paid for at most this many days
    review_lines: tuple[ReviewLine, ...] = ()


def keyword_pattern(words: list[str]) -> re.Pattern:
    """Short alphanumeric words match as whole words, longer ones as substrings (lower case);
    a word written "=word" matches only as a whole word ("=comfort" not in "discomfort")."""
    parts = []
    for w in words:
        w = str(w).lower()
        whole = w.startswith("=")
        w = w.lstrip("=")
        esc = re.escape(w)
        parts.append(rf"\b{esc}\b" if whole or (len(w) <= 4 and w.isalnum()) else esc)
    return re.compile("|".join(parts))


class _Reader:
    def __init__(self, file: str):
        self.file = file

    def fail(self, key: str, message: str):
        raise TableError(self.file, key, message)

    def get(self, data: dict, key: str, path: str, kind=None, required=True):
        if not isinstance(data, dict):
            self.fail(path, "must be a mapping")
        if key not in data or data[key] is None:
            if required:
                self.fail(f"{path}.{key}" if path else key, "missing")
            return None
        value = data[key]
        if kind is not None and not isinstance(value, kind):
            self.fail(f"{path}.{key}" if path else key, f"must be {getattr(kind, '__name__', kind)}")
        return value

    def money(self, value: Any, key: str) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            self.fail(key, f"must be an amount as a string, got {value!r}")
        try:
            d = Decimal(str(value))
        except InvalidOperation:
            self.fail(key, f"not an amount: {value!r}")
        if not d.is_finite() or d < 0:
            self.fail(key, f"not a non-negative amount: {value!r}")
        return d

    def countries(self, value: Any, key: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(c, str) and re.fullmatch(r"[A-Z]{2}", c)
                                                  for c in value):
            self.fail(key, "must be a list of ISO 3166-1 alpha-2 codes")
        return tuple(value)

    def spec(self, raw: Any, key: str) -> Spec | None:
        if raw == "not_covered":
            return None
        if not isinstance(raw, dict):
            self.fail(key, "must be a mapping or 'not_covered'")
        unknown = set(raw) - SPEC_KEYS
        if unknown:
            self.fail(f"{key}.{sorted(unknown)[0]}", "unknown key")
        kw: dict[str, Any] = {}
        for name in ("pct", "approval_else_pct"):
            if name in raw:
                v = raw[name]
                if isinstance(v, bool) or not isinstance(v, int) or not 0 < v <= 100:
                    self.fail(f"{key}.{name}", "must be a whole percentage 1..100")
                kw[name] = Decimal(v)
        for name in ("per_unit", "cap"):
            if name in raw:
                kw[name] = self.money(raw[name], f"{key}.{name}")
        if "max_count" in raw:
            v = raw["max_count"]
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                self.fail(f"{key}.max_count", "must be a whole number >= 0")
            kw["max_count"] = v
        if "unit" in raw:
            if raw["unit"] not in UNITS:
                self.fail(f"{key}.unit", f"must be one of {', '.join(UNITS)}")
            kw["unit"] = raw["unit"]
        if ("per_unit" in raw or "max_count" in raw) and "unit" not in raw:
            self.fail(f"{key}.unit", "missing (needed by per_unit/max_count)")
        if "period" in raw:
            if raw["period"] not in PERIODS:
                self.fail(f"{key}.period", f"must be one of {', '.join(PERIODS)}")
            kw["period"] = raw["period"]
        limited = any(k in raw for k in ("cap", "max_count", "module_cap"))
        if limited and ("period" not in raw or "category" not in raw):
            self.fail(f"{key}.{'period' if 'period' not in raw else 'category'}",
                      "missing (needed by cap/max_count/module_cap)")
        if "category" in raw:
            if not isinstance(raw["category"], str) or not re.fullmatch(r"[a-z0-9_]{1,48}", raw["category"]):
                self.fail(f"{key}.category", "must be snake_case, at most 48 characters")
            kw["category"] = raw["category"]
        if "requires" in raw:
            req = raw["requires"]
            if not isinstance(req, list) or not all(r in BOOL_FACTS for r in req):
                self.fail(f"{key}.requires", f"must be a list of facts from {', '.join(BOOL_FACTS)}")
            kw["requires"] = tuple(req)
        for name in ("approval", "no_deductible", "worldwide"):
            if name in raw:
                if not isinstance(raw[name], bool):
                    self.fail(f"{key}.{name}", "must be true or false")
                kw[name] = raw[name]
        if "module_cap" in raw:
            if raw["module_cap"] != "dental":
                self.fail(f"{key}.module_cap", "only 'dental' is known")
            kw["module_cap"] = "dental"
        if "cap_reduction" in raw:
            kw["cap_reduction"] = self.cap_reduction(raw["cap_reduction"], f"{key}.cap_reduction")
            if "cap" not in raw:
                self.fail(f"{key}.cap", "missing (needed by cap_reduction)")
        if "review" in raw:
            if not isinstance(raw["review"], str) or not raw["review"].strip():
                self.fail(f"{key}.review", "must be the reviewer's question")
            kw["review"] = raw["review"]
        if "window" in raw:
            kw["window"] = self.window(raw["window"], f"{key}.window")
        return Spec(**kw)

    def cap_reduction(self, raw: Any, key: str) -> CapReduction:
        if not isinstance(raw, dict) or set(raw) != {"fact", "per", "question"}:
            self.fail(key, "must be a mapping of fact, per and question")
        if raw["fact"] not in INT_FACTS:
            self.fail(f"{key}.fact", f"must be one of {', '.join(INT_FACTS)}")
        return CapReduction(raw["fact"], self.money(raw["per"], f"{key}.per"), str(raw["question"]))

    def window(self, raw: Any, key: str) -> Window:
        if not isinstance(raw, dict) or set(raw) != {"fact", "days", "question"}:
            self.fail(key, "must be a mapping of fact, days and question")
        if raw["fact"] not in DATE_FACTS:
            self.fail(f"{key}.fact", f"must be one of {', '.join(DATE_FACTS)}")
        days = raw["days"]
        if isinstance(days, bool) or not isinstance(days, int) or days < 1:
            self.fail(f"{key}.days", "must be a whole number of days >= 1")
        if not isinstance(raw["question"], str) or not raw["question"].strip():
            self.fail(f"{key}.question", "must be the reviewer's question")
        return Window(raw["fact"], days, raw["question"])

    def cond(self, raw: Any, key: str) -> Cond:
        if not isinstance(raw, dict) or not raw:
            self.fail(key, "must be a non-empty mapping")
        unknown = set(raw) - WHEN_KEYS
        if unknown:
            self.fail(f"{key}.{sorted(unknown)[0]}", "unknown condition")
        kw: dict[str, Any] = {}
        if "keywords" in raw:
            if not isinstance(raw["keywords"], list) or not raw["keywords"]:
                self.fail(f"{key}.keywords", "must be a non-empty list")
            kw["keywords"] = keyword_pattern(raw["keywords"])
        if "invoice_keywords" in raw:
            if not isinstance(raw["invoice_keywords"], list) or not raw["invoice_keywords"]:
                self.fail(f"{key}.invoice_keywords", "must be a non-empty list")
            kw["invoice_keywords"] = keyword_pattern(raw["invoice_keywords"])
        if "fact" in raw:
            if raw["fact"] not in BOOL_FACTS:
                self.fail(f"{key}.fact", f"unknown fact {raw['fact']!r}")
            kw["fact"] = raw["fact"]
        if "fact_equals" in raw:
            if not isinstance(raw["fact_equals"], dict):
                self.fail(f"{key}.fact_equals", "must be a mapping")
            kw["fact_equals"] = tuple((str(k), str(v)) for k, v in raw["fact_equals"].items())
        if "country" in raw:
            kw["country"] = self.countries(raw["country"], f"{key}.country")
        for name in ("age_below", "age_from", "days_at_most", "days_from"):
            if name in raw:
                if isinstance(raw[name], bool) or not isinstance(raw[name], int):
                    self.fail(f"{key}.{name}", "must be a whole number")
                kw[name] = raw[name]
        if "module" in raw:
            kw["module"] = str(raw["module"])
        if "setting" in raw:
            if not isinstance(raw["setting"], list) or not all(s in SETTINGS for s in raw["setting"]):
                self.fail(f"{key}.setting", f"must be a list from {', '.join(SETTINGS)}")
            kw["setting"] = tuple(raw["setting"])
        if "sex" in raw:
            kw["sex"] = str(raw["sex"])
        return Cond(**kw)

    def after_end(self, raw: Any) -> AfterEnd:
        key = "admission_after_end"
        article = self.get(raw, "article", key, str)
        unknown = set(raw) - {"article", "home_days", "abroad_days"}
        if unknown:
            self.fail(f"{key}.{sorted(unknown)[0]}", "unknown key")
        days = {}
        for name in ("abroad_days", "home_days"):
            if name == "home_days" and name not in raw:
                days[name] = days["abroad_days"]  # no home country: one rule everywhere
                continue
            v = self.get(raw, name, key)
            if v != "whole_stay" and (isinstance(v, bool) or not isinstance(v, int) or v < 0):
                self.fail(f"{key}.{name}", "must be a whole number of days >= 0 or 'whole_stay'")
            days[name] = None if v == "whole_stay" else v
        return AfterEnd(article, **days)

    def benefit(self, ttype: str, raw: Any, levels: tuple[str, ...], default_article: str) -> Benefit:
        key = f"benefits.{ttype}"
        article = self.get(raw, "article", key, str)
        variants = self.get(raw, "variants", key, list)
        out = []
        for i, v in enumerate(variants):
            vkey = f"{key}.variants[{i}]"
            name = self.get(v, "name", vkey, str)
            when = v.get("when") or []
            if not isinstance(when, list):
                self.fail(f"{vkey}.when", "must be a list of alternative conditions")
            specs = {}
            for level in levels:
                if level in v:
                    specs[level] = self.spec(v[level], f"{vkey}.{level}")
                elif "all" in v:
                    specs[level] = self.spec(v["all"], f"{vkey}.all")
                else:
                    self.fail(f"{vkey}.{level}", "missing (give the level or 'all')")
            split = v.get("split", False)
            if not isinstance(split, bool) or split and not any("keywords" in (c or {}) for c in when):
                self.fail(f"{vkey}.split", "must be true or false, and true needs keywords in when")
            extra = set(v) - {"name", "article", "when", "all", "split", *levels}
            if extra:
                self.fail(f"{vkey}.{sorted(extra)[0]}", "unknown key")
            out.append(Variant(name, str(v.get("article") or article),
                               tuple(self.cond(c, f"{vkey}.when[{j}]") for j, c in enumerate(when)), specs,
                               split))
        otherwise = None
        if raw.get("otherwise") is not None:
            o = raw["otherwise"]
            okey = f"{key}.otherwise"
            if not isinstance(o, dict):
                self.fail(okey, "must be a mapping")
            ask = o.get("ask") or []
            if not isinstance(ask, list):
                self.fail(f"{okey}.ask", "must be a list of facts")
            if not o.get("code") and not o.get("not_covered"):
                self.fail(f"{okey}.code", "missing (or give not_covered)")
            if ask and not o.get("code"):
                self.fail(f"{okey}.code", "missing (needed by ask)")
            otherwise = Otherwise(tuple(ask), o.get("code"), str(o.get("question") or ""), o.get("not_covered"))
        elif not out or out[-1].when:
            self.fail(f"{key}.otherwise", "missing (the last variant has conditions)")
        return Benefit(ttype, article, tuple(out), otherwise)


def load_table(path: Path) -> PolicyTable:
    r = _Reader(path.name)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise TableError(path.name, "(file)", f"unreadable: {e}") from None
    if not isinstance(data, dict):
        r.fail("(file)", "must be a mapping")
    product = r.get(data, "product", "", str)
    levels = tuple(r.get(data, "levels", "", list))
    if not levels or not all(lv in ("plus", "top", "all") for lv in levels):
        r.fail("levels", "must list plus/top, or all")
    period_unit = r.get(data, "period_unit", "", str)
    if period_unit not in ("insurance_year", "policy_period"):
        r.fail("period_unit", "must be insurance_year or policy_period")
    articles = r.get(data, "articles", "", dict)
    for k in ARTICLE_KEYS:
        r.get(articles, k, "articles", str)
    maximum = r.get(data, "annual_maximum", "", dict)
    annual = {lv: r.money(r.get(maximum, lv, "annual_maximum"), f"annual_maximum.{lv}") for lv in levels}
    exclusions = []
    for i, ex in enumerate(r.get(data, "exclusions", "", list)):
        k = f"exclusions[{i}]"
        code = r.get(ex, "code", k, str)
        words = r.get(ex, "keywords", k, list)
        if not words:
            r.fail(f"{k}.keywords", "must not be empty")
        exclusions.append(Exclusion(code, str(ex.get("label") or code), keyword_pattern(words)))
    benefits_raw = r.get(data, "benefits", "", dict)
    for t in benefits_raw:
        if t not in TREATMENT_TYPES:
            r.fail(f"benefits.{t}", "not a taxonomy treatment_type")
    benefits = {}
    for t in TREATMENT_TYPES:
        if t not in benefits_raw:
            r.fail(f"benefits.{t}", "missing (every taxonomy code needs a row)")
        benefits[t] = r.benefit(t, benefits_raw[t], levels, "")
    deadline = r.get(data, "claim_deadline_years", "", int)
    kw: dict[str, Any] = {}
    if "regions" in data:
        regions = r.get(data, "regions", "", dict)
        kw["regions"] = {}
        for name in ("A", "B+", "B", "C+", "C"):
            if name not in regions:
                r.fail(f"regions.{name}", "missing")
            kw["regions"][name] = frozenset(r.countries(regions[name] or [], f"regions.{name}"))
        kw["no_cover_countries"] = r.countries(data.get("no_cover_countries") or [], "no_cover_countries")
        pct = data.get("out_of_region_pct")
        if isinstance(pct, bool) or not isinstance(pct, int) or not 0 <= pct <= 100:
            r.fail("out_of_region_pct", "must be a whole percentage 0..100")
        kw["out_of_region_pct"] = Decimal(pct)
        kw["home_country_duty"] = data.get("home_country_duty")
        rules = []
        for i, rule in enumerate(data.get("prior_authorisation") or []):
            k = f"prior_authorisation[{i}]"
            countries = r.countries(r.get(rule, "countries", k, list), f"{k}.countries")
            settings = r.get(rule, "settings", k, list)
            if not all(s in SETTINGS for s in settings):
                r.fail(f"{k}.settings", f"must be a list from {', '.join(SETTINGS)}")
            rules.append((frozenset(countries), frozenset(settings)))
        kw["prior_authorisation"] = tuple(rules)
    if "area" in data:
        kw["area"] = frozenset(r.countries(data["area"], "area"))
        kw["home_country"] = r.get(data, "home_country", "", str)
        kw["outside_home_days"] = r.get(data, "outside_home_days", "", int)
        factor = data.get("tariff_factor_abroad")
        if factor is not None and (isinstance(factor, bool) or not isinstance(factor, int) or factor < 1):
            r.fail("tariff_factor_abroad", "must be a whole number >= 1")
        kw["tariff_factor_abroad"] = factor
    if "regions" not in data and "area" not in data:
        r.fail("regions", "missing (or give area)")
    if data.get("admission_after_end") is not None:
        kw["admission_after_end"] = r.after_end(data["admission_after_end"])
    if data.get("admission_max_days") is not None:
        days = data["admission_max_days"]
        if isinstance(days, bool) or not isinstance(days, int) or days < 1:
            r.fail("admission_max_days", "must be a whole number of days >= 1")
        kw["admission_max_days"] = days
    reviews = []
    for i, rl in enumerate(r.get(data, "review_lines", "", list, required=False) or []):
        k = f"review_lines[{i}]"
        words = r.get(rl, "keywords", k, list)
        if not words:
            r.fail(f"{k}.keywords", "must not be empty")
        unknown = set(rl) - {"code", "article", "keywords", "question", "except_types", "art8_row"}
        if unknown:
            r.fail(f"{k}.{sorted(unknown)[0]}", "unknown key")
        skip = rl.get("except_types") or []
        if not isinstance(skip, list) or not all(t in TREATMENT_TYPES for t in skip):
            r.fail(f"{k}.except_types", "must be a list of taxonomy treatment types")
        row = rl.get("art8_row")
        if row is not None:
            ttype, _, name = str(row).partition(".")
            if name not in {v.name for v in getattr(benefits.get(ttype), "variants", ())}:
                r.fail(f"{k}.art8_row", "must name a variant as <treatment type>.<variant>")
            row = (ttype, name)
        reviews.append(ReviewLine(r.get(rl, "code", k, str), r.get(rl, "article", k, str), keyword_pattern(words),
                                  r.get(rl, "question", k, str), tuple(skip), row))
    kw["review_lines"] = tuple(reviews)
    exempt = data.get("deductible_exempt") or []
    if not isinstance(exempt, list) or not all(t in TREATMENT_TYPES for t in exempt):
        r.fail("deductible_exempt", "must be a list of taxonomy treatment types")
    return PolicyTable(
        product=product, title=r.get(data, "title", "", str), version=str(r.get(data, "version", "")),
        file=path.name, levels=levels, period_unit=period_unit,
        policy_end_inclusive=bool(data.get("policy_end_inclusive", True)), claim_deadline_years=deadline,
        articles=dict(articles), annual_maximum=annual, exclusions=tuple(exclusions),
        deductible_exempt=tuple(exempt), benefits=benefits, **kw)


@lru_cache(maxsize=4)
def tables(folder: str | None = None) -> dict[str, PolicyTable]:
    """Every product's table, validated; call at start-up so a bad table stops the program."""
    out = {}
    for path in sorted(Path(folder or POLICY_DIR).glob("*.yaml")):
        table = load_table(path)
        if table.product != path.stem:
            raise TableError(path.name, "product", f"{table.product!r} does not match the file name")
        out[table.product] = table
    return out


def get_table(product: str) -> PolicyTable:
    return tables()[product]


@lru_cache(maxsize=1)
def rules_version() -> str:
    """Versions of the tables plus a digest of their bytes (changes whenever a table changes)."""
    digest = hashlib.sha256()
    for path in sorted(POLICY_DIR.glob("*.yaml")):
        digest.update(path.read_bytes())
    code = hashlib.sha256((Path(__file__).parent / "evaluator.py").read_bytes()).hexdigest()[:8]
    versions = ",".join(f"{t.product}={t.version}" for t in tables().values())
    return f"{versions};{digest.hexdigest()[:12]};{code}"
