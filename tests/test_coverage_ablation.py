"""Ablation: every rule in the policy tables, and every evaluator rule, has a test that fails without it.

Rules are enumerated from the loaded tables (coverage.tables.tables()), not listed by hand: every
spec (product/treatment_type/variant/level) and its limits, every `when` condition, every `otherwise`,
exclusion, prior-authorisation cell, region country, area country, maximum and deductible exemption,
plus the evaluator rules in EVALUATOR_RULES. Each rule is removed in a copy of the table (the cached
tables are never changed) or by patching one evaluator step; the witnesses mapped to it must pass
without the ablation and at least one must fail with it. A rule without a witness fails by its id.

Ablations: a limited spec becomes plain cost price, a cost-price spec becomes not covered and a
not-covered spec cost price; each limit or flag of a spec is reset on its own (a period is swapped for
another, a category shared by several variants is renamed); each condition of a `when` alternative is
dropped (an alternative left empty is dropped, a variant left without alternatives is dropped); an
`otherwise` that asks stops asking and one that refuses asks; list entries are removed one by one;
other table values are set to a neutral value. Rule ids: `<product>/<treatment_type>/<variant>/<level>`
(`/<limit>`, `/when[j].<condition>`), `<product>/<treatment_type>/otherwise`, `<product>/exclusion/<code>`,
`<product>/regions/<region>/<country>`, `<product>/prior_authorisation[i]/<country|setting>`,
`<product>/area/<country>`, `<product>/<table value>`, `evaluator/<rule>`.

To map a new rule, add its key (the variant path for a variant's rules) to WITNESSES with test calls;
the other witnesses of the same treatment_type row also run for it.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Callable

import pytest

import test_coverage_gaps as G
import test_coverage_rules as R
import test_coverage_witness as W
from coverage import evaluator as E
from coverage import tables as T

HUGE = Decimal("1000000000000")
PERIOD_SWAP = {"insurance_year": "lifetime", "lifetime": "insurance_year", "two_years": "insurance_year",
               "five_years": "insurance_year", "event": "insurance_year"}
# PolicyTable fields that are not rules (names, citations) or are enumerated in detail below
TABLE_META = {"product", "title", "version", "file", "levels", "articles", "benefits", "exclusions",
              "prior_authorisation", "regions", "no_cover_countries", "area", "annual_maximum",
              "deductible_exempt"}


@dataclass(frozen=True)
class Rule:
    product: str | None                       # the table a data rule ablates (None: evaluator rule)
    id: str
    key: str                                  # witness-map key (a variant's rules share its witnesses)
    table: Callable | None = None             # PolicyTable -> ablated PolicyTable
    patch: Callable | None = None             # monkeypatch -> None (evaluator rules)


def _default(f: dataclasses.Field):
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return None


# --- table edits (always on copies) ---------------------------------------------------------------

def _variants(t, ttype, edit):
    b = t.benefits[ttype]
    variants = list(b.variants)
    edit(variants)
    return replace(t, benefits={**t.benefits, ttype: replace(b, variants=tuple(variants))})


def _set_spec(ttype, vi, level, spec):
    def edit(variants):
        v = variants[vi]
        variants[vi] = replace(v, levels={**v.levels, level: spec})
    return lambda t: _variants(t, ttype, edit)


def _set_variant(ttype, vi, name, value):
    def edit(variants):
        variants[vi] = replace(variants[vi], **{name: value})
    return lambda t: _variants(t, ttype, edit)


def _drop_cond(ttype, vi, j, name):
    def edit(variants):
        v = variants[vi]
        cond = replace(v.when[j], **{name: _default(next(f for f in dataclasses.fields(T.Cond) if f.name == name))})
        when = list(v.when)
        if cond == T.Cond():
            del when[j]  # the alternative's only condition: the alternative is gone
        else:
            when[j] = cond
        if when:
            variants[vi] = replace(v, when=tuple(when))
        else:
            del variants[vi]  # no alternative left: the variant is gone (empty `when` would match all)
    return lambda t: _variants(t, ttype, edit)


def _ablate_otherwise(ttype):
    def edit(t):
        b = t.benefits[ttype]
        o = b.otherwise
        asks = bool(o.ask) or not o.not_covered
        new = T.Otherwise(not_covered="ablated", question="ablated") if asks else \
            T.Otherwise(code="ablated", question="ablated")
        return replace(t, benefits={**t.benefits, ttype: replace(b, otherwise=new)})
    return edit


def _ablated_spec(spec):
    if spec is None:
        return T.Spec()            # not covered -> cost price
    if spec == T.Spec():
        return None                # cost price -> not covered
    return T.Spec()                # limited -> plain cost price


def _attr_ablations(t, spec, level):
    """(attribute, replacement value) for each limit or flag the spec sets."""
    limited = spec.cap is not None or spec.max_count is not None or spec.module_cap is not None
    for f in dataclasses.fields(T.Spec):
        value, default = getattr(spec, f.name), _default(f)
        if value == default or f.name == "unit":
            continue
        if f.name == "period":
            if limited:
                yield f.name, PERIOD_SWAP[value]
        elif f.name == "category":
            if _category_shared(t, value, level):
                yield f.name, value + "_ablated"
        else:
            yield f.name, default


def _category_shared(t, category, level):
    specs = [v.levels.get(level) for b in t.benefits.values() for v in b.variants]
    return sum(1 for s in specs if s is not None and s.category == category) > 1


# --- enumeration from the data -------------------------------------------------------------------

def benefit_rules(t):
    p = t.product
    for ttype, b in t.benefits.items():
        for vi, v in enumerate(b.variants):
            key = f"{p}/{ttype}/{v.name}"
            for level, spec in v.levels.items():
                yield Rule(p, f"{key}/{level}", key, _set_spec(ttype, vi, level, _ablated_spec(spec)))
                for name, value in (_attr_ablations(t, spec, level) if spec else ()):
                    yield Rule(p, f"{key}/{level}/{name}", key,
                               _set_spec(ttype, vi, level, replace(spec, **{name: value})))
            for f in dataclasses.fields(T.Variant):  # e.g. split: its own part per matching line
                if f.name not in ("name", "article", "when", "levels") and getattr(v, f.name) != _default(f):
                    yield Rule(p, f"{key}/{f.name}", key, _set_variant(ttype, vi, f.name, _default(f)))
            for j, cond in enumerate(v.when):
                for f in dataclasses.fields(T.Cond):
                    if getattr(cond, f.name) != _default(f):
                        yield Rule(p, f"{key}/when[{j}].{f.name}", key, _drop_cond(ttype, vi, j, f.name))
        for f in dataclasses.fields(T.Benefit):  # any other per-row setting a later table adds
            if f.name not in ("treatment_type", "article", "variants", "otherwise") \
                    and getattr(b, f.name) != _default(f):
                yield Rule(p, f"{p}/{ttype}/{f.name}", f"{p}/{ttype}/{f.name}",
                           lambda tb, tt=ttype, n=f.name, v=_default(f): replace(
                               tb, benefits={**tb.benefits, tt: replace(tb.benefits[tt], **{n: v})}))
        if b.otherwise is not None:
            yield Rule(p, f"{p}/{ttype}/otherwise", f"{p}/{ttype}/otherwise", _ablate_otherwise(ttype))


def table_rules(t):
    p = t.product
    for level in t.annual_maximum:
        yield Rule(p, f"{p}/annual_maximum/{level}", f"{p}/annual_maximum",
                   lambda tb, lv=level: replace(tb, annual_maximum={**tb.annual_maximum, lv: HUGE}))
    for ex in t.exclusions:
        yield Rule(p, f"{p}/exclusion/{ex.code}", f"{p}/exclusion/{ex.code}",
                   lambda tb, c=ex.code: replace(tb, exclusions=tuple(e for e in tb.exclusions if e.code != c)))
    for ttype in t.deductible_exempt:
        yield Rule(p, f"{p}/deductible_exempt/{ttype}", f"{p}/deductible_exempt/{ttype}",
                   lambda tb, x=ttype: replace(tb, deductible_exempt=tuple(e for e in tb.deductible_exempt if e != x)))
    for name, countries in t.regions.items():
        if countries:
            yield Rule(p, f"{p}/regions/{name}", f"{p}/regions",
                       lambda tb, n=name: replace(tb, regions={**tb.regions, n: frozenset()}))
        for c in sorted(countries):
            yield Rule(p, f"{p}/regions/{name}/{c}", f"{p}/regions",
                       lambda tb, n=name, c=c: replace(tb, regions={**tb.regions, n: tb.regions[n] - {c}}))
    for c in t.no_cover_countries:
        yield Rule(p, f"{p}/no_cover_countries/{c}", f"{p}/regions",
                   lambda tb, c=c: replace(tb, no_cover_countries=tuple(x for x in tb.no_cover_countries if x != c)))
    for i, (countries, settings) in enumerate(t.prior_authorisation):
        def drop_row(tb, i=i):
            return replace(tb, prior_authorisation=tb.prior_authorisation[:i] + tb.prior_authorisation[i + 1:])

        def cell(tb, i=i, c=None, s=None):
            rows = list(tb.prior_authorisation)
            cs, ss = rows[i]
            rows[i] = (cs - {c}, ss - {s})
            return replace(tb, prior_authorisation=tuple(rows))
        yield Rule(p, f"{p}/prior_authorisation[{i}]", f"{p}/prior_authorisation", drop_row)
        for c in sorted(countries):
            yield Rule(p, f"{p}/prior_authorisation[{i}]/{c}", f"{p}/prior_authorisation",
                       lambda tb, f=cell, c=c: f(tb, c=c))
        for s in sorted(settings):
            yield Rule(p, f"{p}/prior_authorisation[{i}]/{s}", f"{p}/prior_authorisation",
                       lambda tb, f=cell, s=s: f(tb, s=s))
    for c in sorted(t.area):
        yield Rule(p, f"{p}/area/{c}", f"{p}/area", lambda tb, c=c: replace(tb, area=tb.area - {c}))
    # every other table field is one rule, ablated by a neutral value (or its default)
    for f in dataclasses.fields(T.PolicyTable):
        if f.name in TABLE_META:
            continue
        value = getattr(t, f.name)
        neutral = SCALAR_NEUTRAL.get(f.name, lambda v, f=f: _default(f))(value)
        if value is None or value == neutral:
            continue
        yield Rule(p, f"{p}/{f.name}", f"{p}/{f.name}", lambda tb, n=f.name, v=neutral: replace(tb, **{n: v}))
        if dataclasses.is_dataclass(value):  # a nested rule (e.g. admission_after_end): each of its values
            for sub in dataclasses.fields(value):
                if sub.name == "article" or (sub.name == "home_days" and t.home_country is None):
                    continue  # a product without a home country has one rule everywhere
                new = 0 if getattr(value, sub.name) is None else None
                yield Rule(p, f"{p}/{f.name}.{sub.name}", f"{p}/{f.name}",
                           lambda tb, n=f.name, s=sub.name, v=new: replace(
                               tb, **{n: replace(getattr(tb, n), **{s: v})}))


SCALAR_NEUTRAL = {
    "period_unit": lambda v: "policy_period" if v == "insurance_year" else "insurance_year",
    "policy_end_inclusive": lambda v: not v,
    "claim_deadline_years": lambda v: 100,
    "out_of_region_pct": lambda v: Decimal(100),
    "outside_home_days": lambda v: 10 ** 6,
}


# --- evaluator rules: one step skips one rule while it runs ----------------------------------------

def _during(method: str, change: Callable):
    """Patch Evaluator.<method> so that it runs with `change(self)` applied (then restored)."""
    def patch(mp):
        orig = getattr(E.Evaluator, method)

        def wrapped(self, *a, **kw):
            saved = dict(vars(self))
            change(self)
            try:
                return orig(self, *a, **kw)
            finally:
                for k in ("p", "c", "t", "facts", "usage", "today"):
                    if k in saved:
                        setattr(self, k, saved[k])
        mp.setattr(E.Evaluator, method, wrapped)
    return patch


def _without(*names):
    def change(self):
        self.facts = {k: v for k, v in self.facts.items() if k not in names}
    return change


def _drop_reason(method: str, code: str):
    """Patch Evaluator.<method> so the reason `code` it adds is not added."""
    def patch(mp):
        orig = getattr(E.Evaluator, method)

        def wrapped(self, *a, **kw):
            try:
                return orig(self, *a, **kw)
            finally:
                self.reasons[:] = [r for r in self.reasons if r.code != code]
        mp.setattr(E.Evaluator, method, wrapped)
    return patch


def _person(**changes):
    def change(self):
        self.p = replace(self.p, **changes)
    return change


def _no_lines_types(self):
    self.c = replace(self.c, lines=tuple(replace(ln, treatment_type=None) for ln in self.c.lines))


def _one_line(mp):
    """Exclusions judged on the whole invoice instead of per line item."""
    orig = E.Evaluator._line_shares

    def merged(self):
        shares = orig(self)
        return [(shares[0][0], " | ".join(t for _, t, _ in shares), sum((a for _, _, a in shares), E.ZERO))]
    mp.setattr(E.Evaluator, "_line_shares", merged)


def _facts_only_units(mp):
    orig = E.Evaluator.units
    mp.setattr(E.Evaluator, "units", lambda self, part, unit: orig(self, replace(part, text=""), unit))


def _authorisation_ignoring(field_name):
    def patch(mp):
        def authorisation(self, types, country):
            for a in self.p.prior_authorisations:
                in_time = field_name == "validity" or a.valid_from <= self.day <= a.valid_to
                in_country = field_name == "country" or country is None or a.country is None or a.country == country
                if a.treatment_type in types and in_time and in_country:
                    return a
            return None
        mp.setattr(E.Evaluator, "authorisation", authorisation)
    return patch


def _set(**attrs):
    def change(self):
        for k, v in attrs.items():
            setattr(self, k, v(self) if callable(v) else v)
    return change


def _no_maximum(mp):
    mp.setattr(E.Evaluator, "step_maximum", lambda self, parts: sum((p.amount for p in parts), E.ZERO))


def _no_region_factor(mp):
    orig = E.Evaluator.step_percentages

    def wrapped(self, parts):
        for p in parts:
            if p.region_factor not in (0, 1):
                p.region_factor = Decimal(1)
        return orig(self, parts)
    mp.setattr(E.Evaluator, "step_percentages", wrapped)


EVALUATOR_RULES = {
    "evaluator/period_start": _during("step_period", _person(policy_start=date(1900, 1, 1))),
    "evaluator/period_end": _during("step_period", _person(policy_end=None)),
    "evaluator/period_admission_date": _during("step_period", _without("admission_date")),
    "evaluator/claim_deadline": _during("step_period", _set(today=lambda s: s.day, facts=lambda s: {
        k: v for k, v in s.facts.items() if k != "submitted_on"})),
    "evaluator/premium_arrears_flag": _during("step_period", _person(premium_arrears=False)),
    "evaluator/lines_per_treatment_type": _during("step_exclusions", _no_lines_types),
    "evaluator/exclusion_per_line": _one_line,
    "evaluator/nl_basic_insurance_duty": _during("step_region", _set(
        p=lambda s: replace(s.p, dutch_basic_insurance_duty=False),
        facts=lambda s: {k: v for k, v in s.facts.items() if k != "dutch_basic_insurance_duty"})),
    "evaluator/out_of_region_pct_applied": _no_region_factor,
    "evaluator/vv_country_of_origin": _during("step_region", _person(nationality="NL")),
    "evaluator/vv_country_of_origin_unknown": _during("step_region", lambda s: setattr(
        s, "p", replace(s.p, country_of_origin=s.p.country_of_origin or "ZZ"))),
    "evaluator/vv_days_abroad_used": _during("step_region", _set(usage={})),
    "evaluator/vv_days_abroad_unknown": _during("step_region", _set(
        facts=lambda s: {"days_abroad": 1, **s.facts})),
    "evaluator/vv_tariff_cap_abroad_flag": _drop_reason("step_tariff", "tariff_cap_abroad"),
    "evaluator/prior_authorisation_acute": _during("step_prior_authorisation", _without("acute")),
    "evaluator/prior_authorisation_planned": _during("step_prior_authorisation", _set(
        facts=lambda s: {k: v for k, v in s.facts.items() if k != "planned" and not (k == "acute" and v is False)})),
    "evaluator/prior_authorisation_on_file": _during("step_prior_authorisation", _person(prior_authorisations=())),
    "evaluator/prior_authorisation_setting_unknown": _during("step_prior_authorisation", _set(
        c=lambda s: replace(s.c, setting=s.c.setting or "outpatient"))),
    "evaluator/authorisation_validity": _authorisation_ignoring("validity"),
    "evaluator/authorisation_country": _authorisation_ignoring("country"),
    "evaluator/units_from_descriptions": _facts_only_units,
    "evaluator/limits_usage": _during("step_limits", _set(usage={})),
    "evaluator/annual_maximum": _no_maximum,
    "evaluator/annual_maximum_usage": _during("step_maximum", _set(usage={})),
    "evaluator/deductible": _during("step_deductible", _person(deductible_eur=Decimal(0))),
    "evaluator/deductible_usage": _during("step_deductible", _set(usage={})),
    "evaluator/deductible_once_per_stay": _during("step_deductible", _without("admission_date")),
}


def all_rules() -> list[Rule]:
    out = []
    for t in T.tables().values():
        out += list(benefit_rules(t)) + list(table_rules(t))
    out += [Rule(None, rid, rid, patch=patch) for rid, patch in EVALUATOR_RULES.items()]
    return out


# --- witnesses -----------------------------------------------------------------------------------

def w(fn, *kwargs_list):
    """Calls of one test function, one per argument set (its parametrize values)."""
    return [(fn, kw) for kw in (kwargs_list or ({},))]


LV = ({"level": "plus"}, {"level": "top"})


def every(fn, **where):
    """Every parametrize case of a test function (optionally only those with the given values)."""
    cases = [{}]
    for mark in getattr(fn, "pytestmark", []):
        if mark.name != "parametrize":
            continue
        names = mark.args[0] if isinstance(mark.args[0], (list, tuple)) else \
            [n.strip() for n in mark.args[0].split(",")]
        rows = []
        for value in mark.args[1]:
            value = getattr(value, "values", value)  # pytest.param
            rows.append(dict(zip(names, value if len(names) > 1 else (value,))))
        cases = [{**c, **r} for c in cases for r in rows]
    cases = [c for c in cases if all(c.get(k) == v for k, v in where.items())]
    assert cases, f"{fn.__name__}: no parametrize case with {where}"
    return [(fn, c) for c in cases]


def cost(ttype):
    rows = [dict(zip(("ttype", "lines", "facts"), row)) for row in R.COST_PRICE if row[0] == ttype]
    return [(R.test_cost_price_rows, {"level": lv, **row}) for lv in ("plus", "top") for row in rows]


def lv(fn, **kw):
    return w(fn, *({**x, **kw} for x in LV))


def capped(fn, name="cap", **caps):
    return w(fn, *({"level": k, name: v} for k, v in caps.items()))


OOM, VV = "oom_international", "voorlopig_verblijf_nl"


def _exclusion_witnesses():
    out = {}
    for row in R.EXCLUSIONS:
        kw = dict(zip(("ttype", "desc", "code"), row))
        out[f"{OOM}/exclusion/{kw['code']}"] = lv(R.test_exclusions_art_13, **kw)
    for row in W.VV_EXCLUSIONS:
        kw = dict(zip(("ttype", "desc", "facts", "code"), row))
        out[f"{VV}/exclusion/{kw['code']}"] = w(W.test_vv_exclusions, kw)
    return out


def _vv_benefit_witnesses():
    out: dict[str, list] = {}
    for rows, fn, names in [(W.VV_COST, W.test_vv_cost_price, ("key", "ttype", "desc", "facts", "setting")),
                            (W.VV_NOT_COVERED, W.test_vv_not_covered, ("key", "ttype", "desc", "facts")),
                            (W.VV_ASKS, W.test_vv_asks, ("key", "ttype", "desc"))]:
        for row in rows:
            out.setdefault(f"{VV}/{row[0]}", []).append((fn, dict(zip(names, row))))
    out[f"{VV}/patient_transport/own_car"] = w(W.test_vv_own_car_20_cents_per_km)
    out[f"{VV}/alternative_medicine/chiropractic_manual_therapy"] = w(W.test_vv_chiropractic_counts_with_physiotherapy)
    out[f"{VV}/dental/dental_module"] = w(W.test_vv_dental_module)
    out[f"{VV}/maternity/pregnancy_complication"] = w(R.test_vv_pregnancy_only_complication_before_32_weeks)
    return out


def _cases():
    out: dict[str, list] = {}
    for fn, rows in ((W.test_case, W.CASES), (W.test_limit_period, W.PERIODS)):
        for c in rows:
            if not c["bug"]:  # a case that fails for a known bug proves nothing
                out.setdefault(c["key"], []).append((fn, {"c": c}))
    return out


def _merge(*maps):
    out: dict[str, list] = {}
    for m in maps:
        for k, v in m.items():
            out.setdefault(k, []).extend(c for c in v if c not in out[k])
    return out


def _matrix():
    return [(R.test_prior_authorisation_matrix, {"level": lv_, "country": c, "setting": s, "required": req})
            for lv_ in ("plus", "top")
            for c, s, req in [("US", "inpatient", True), ("US", "daycare", True), ("US", "outpatient", True),
                              *[(c, s, True) for c in ("SG", "MY", "ID", "CN", "HK", "TH", "MX", "AE")
                                for s in ("inpatient", "daycare")],
                              *[(c, "outpatient", False) for c in ("SG", "TH", "AE")]]]


OUT_OF_REGION = w(R.test_out_of_region_50pct, *[
    {"level": lv_, "region": r, "country": c, "factor": f} for lv_ in ("plus", "top")
    for r, c, f in [("B", "SG", "0.5"), ("C+", "CN", "0.5"), ("C", "TH", "0.5")]]) + \
    w(R.test_out_of_region_applies_after_limits)
DEDUCTIBLE = lv(R.test_deductible_per_insurance_year)
MAXIMUM = w(R.test_annual_maximum, {"level": "plus", "maximum": "2500000"}, {"level": "top", "maximum": "3500000"})
US = w(R.test_us_not_covered_outside_region_a, *({"region": r} for r in ("B+", "B", "C+", "C")))
SESSIONS = w(R.test_sessions_read_from_descriptions, *({"desc": d, "sessions": n} for d, n in [
    ("Kinésithérapie 3 séances", 3), ("Physiotherapy x 4", 4), ("KG 6x", 6), ("Fysiotherapie 2 behandelingen", 2)]))

SCREENINGS = ("cardiovascular_screening", "cervical_screening", "breast_screening", "prostate_screening",
              "colon_screening")
ZORGPLAN_STAY = every(G.test_zorgplan_comfort_paid_apart_from_the_stay_without_deductible) + \
    every(G.test_zorgplan_comfort_not_covered_without_module_or_outside_nl_be_de) + \
    every(G.test_zorgplan_parking_by_length_of_stay) + w(G.test_room_supplement_is_not_a_food_supplement)
GAPS = {  # tests of test_coverage_gaps.py (issue 5 rules)
    f"{OOM}/admission_after_end": every(G.test_oom_international_pays_only_nights_until_the_end)
    + w(G.test_admission_after_end_is_not_covered_and_unknown_admission_is_asked),
    f"{VV}/admission_after_end": w(G.test_vv_stay_in_netherlands_covered_after_end)
    + w(G.test_vv_stay_abroad_paid_up_to_30_days_after_end)
    + w(G.test_vv_stay_abroad_without_days_asks_only_past_30_days),
    f"{VV}/tariff_factor_abroad": w(G.test_vv_abroad_without_dutch_tariff_pays_and_asks)
    + w(G.test_vv_abroad_capped_at_twice_the_dutch_tariff)
    + w(G.test_vv_tariff_cap_not_in_netherlands_and_shrinks_category_use),
    "evaluator/vv_tariff_cap_abroad_flag": w(G.test_vv_abroad_without_dutch_tariff_pays_and_asks),
    **{f"{OOM}/hospital_admission/{v}": ZORGPLAN_STAY for v in (
        "zorgplan_parking_short", "zorgplan_parking_long", "zorgplan_comfort", "zorgplan_comfort_outside_nl_be_de",
        "comfort_without_zorgplan")},
    f"{OOM}/accommodation/zorgplan_nights_after_discharge": every(G.test_zorgplan_two_nights_after_discharge),
    f"{OOM}/maternity/kraamhotel": every(W.test_kraamhotel_and_home_maternity_care_share_one_maximum_on_top)
    + every(W.test_oom_maternity_care_within_10_days_of_the_delivery, desc="Kraamhotel"),
    f"{OOM}/preventive_care/full_body_scan": every(G.test_full_body_scan_once_per_five_insurance_years),
    **{f"{OOM}/preventive_care/{v}": every(G.test_preventive_screenings_counted_once_per_period) for v in SCREENINGS},
    f"{OOM}/preventive_care/screening_age_or_sex": every(G.test_preventive_screening_outside_age_or_sex_not_covered),
    f"{OOM}/preventive_care/youth_health_care": every(G.test_youth_health_care_covered_other_preventive_asked),
    f"{OOM}/preventive_care/otherwise": every(G.test_youth_health_care_covered_other_preventive_asked),
    f"{OOM}/dermatology/camouflage": every(G.test_camouflage_two_lessons_per_year_for_face_or_neck),
    **{f"{OOM}/fertility/{v}": every(G.test_fertility_conditions)
       for v in ("fertility_pgd", "ivf_icsi", "fertility_other", "fertility_from_43", "otherwise")},
}

WITNESSES: dict[str, list] = _merge(_cases(), GAPS, {
    # OOM International, art. 8 / art. 11 benefit rows
    **{f"{OOM}/{t}/{t}": cost(t) for t in ("general_practice", "specialist", "laboratory",
                                           "hospital_admission", "rehabilitation")},
    f"{OOM}/medication/prescription_medication": cost("medication") + lv(R.test_medication_prescription_only),
    f"{OOM}/medication/otherwise": lv(R.test_medication_prescription_only),
    **{f"{OOM}/{t}/{t}": lv(R.test_prior_approval_rows, ttype=t)
       for t in ("transplant", "dialysis", "plastic_surgery")},
    **{f"{OOM}/patient_transport/{v}": lv(R.test_patient_transport)
       for v in ("ambulance", "taxi", "public_transport", "own_car", "otherwise")},
    f"{OOM}/patient_transport/otherwise": lv(R.test_patient_transport),
    f"{OOM}/accommodation/accommodation": lv(R.test_accommodation_100_per_day_2000_per_illness),
    f"{OOM}/vaccination/exposure_vaccination": cost("vaccination"),
    f"{OOM}/vaccination/travel_vaccination": capped(R.test_travel_vaccination_per_two_years,
                                                    plus="100.00", top="150.00"),
    f"{OOM}/vaccination/preventive_vaccination": lv(R.test_vaccination_kind_unknown_asks),
    f"{OOM}/vaccination/otherwise": lv(R.test_vaccination_kind_unknown_asks),
    f"{OOM}/physiotherapy/physiotherapy_group": w(R.test_25_treatments_plus_unlimited_top,
                                                  {"ttype": "physiotherapy", "cat": "physiotherapy_group"})
    + w(R.test_physiotherapy_group_counts_together) + SESSIONS,
    f"{OOM}/speech_therapy/speech_therapy": w(R.test_25_treatments_plus_unlimited_top,
                                              {"ttype": "speech_therapy", "cat": "speech_therapy"}),
    f"{OOM}/occupational_therapy/occupational_therapy": lv(R.test_hours_per_year, ttype="occupational_therapy",
                                                           cat="occupational_therapy_hours", hours=10),
    f"{OOM}/dietetics/dietetics": lv(R.test_hours_per_year, ttype="dietetics", cat="dietetics_hours", hours=4),
    f"{OOM}/dental/orthodontics_under_21": capped(R.test_orthodontics_under_21_lifetime, plus="1200.00", top="1800.00"),
    f"{OOM}/dental/orthodontics_from_21": w(R.test_orthodontics_from_21),
    f"{OOM}/dental/dental_accident": capped(R.test_dental_after_accident, plus="475.00", top="600.00"),
    f"{OOM}/dental/dental_under_18": lv(R.test_dental_under_18),
    f"{OOM}/dental/dental_special_from_18": lv(R.test_dental_special_from_18),
    f"{OOM}/dental/dental_module": w(R.test_dental_module_no_deductible_worldwide) + lv(W.test_oom_dental_module),
    f"{OOM}/dental/otherwise": capped(R.test_dental_after_accident, plus="475.00", top="600.00"),
    f"{OOM}/maternity/home_maternity_care": capped(R.test_home_maternity_care, plus="1500.00", top="2250.00")
    + every(W.test_oom_maternity_care_within_10_days_of_the_delivery, desc="Kraamzorg"),
    f"{OOM}/maternity/delivery": lv(R.test_delivery_in_hospital_not_approved_75pct),
    f"{OOM}/maternity/pregnancy_care": lv(W.test_oom_pregnancy_care_cost_price),
    f"{OOM}/fertility/ivf_icsi": lv(R.test_ivf_three_treatments_3000_each),
    f"{OOM}/fertility/fertility_other": lv(W.test_oom_fertility_other_needs_approval),
    f"{OOM}/reproductive_health/male_sterilisation": lv(R.test_male_sterilisation_450),
    f"{OOM}/reproductive_health/reproductive_health": cost("reproductive_health") + lv(R.test_male_sterilisation_450),
    **{f"{OOM}/mental_health/{v}": capped(R.test_psychotherapy_per_year, plus="800.00", top="1500.00")
       + w(R.test_out_of_region_applies_after_limits) for v in ("psychiatric_admission", "psychotherapy")},
    f"{OOM}/preventive_care/full_body_scan": w(R.test_full_body_scan),
    **{f"{OOM}/hospital_admission/{v}": lv(W.test_oom_zorgplan_hospital_comfort) for v in (
        "zorgplan_parking_short", "zorgplan_parking_long", "zorgplan_comfort", "zorgplan_comfort_outside_nl_be_de",
        "comfort_without_zorgplan")},
    f"{OOM}/accommodation/zorgplan_nights_after_discharge": lv(W.test_oom_zorgplan_nights_after_discharge),
    **{f"{OOM}/medical_aids/{v}": lv(R.test_medical_aids_after_accident)
       for v in ("crutches_wheelchair", "prostheses_orthoses")},
    f"{OOM}/medical_aids/insoles": every(W.test_oom_insoles),
    f"{OOM}/medical_aids/otherwise": lv(W.test_oom_other_medical_aid_asks),
    f"{OOM}/optical/optical": w(R.test_optical),
    f"{OOM}/alternative_medicine/alternative_medicine": w(
        R.test_alternative_medicine, {"level": "plus", "per": "30", "year": "250"},
        {"level": "top", "per": "65", "year": "1000"}),
    f"{OOM}/dermatology/acne_under_21": w(R.test_acne_under_21),
    f"{OOM}/dermatology/psoriasis_daycare": every(W.test_oom_psoriasis_daycare),
    f"{OOM}/dermatology/spa_rheuma_psoriasis": every(W.test_oom_spa),
    f"{OOM}/dermatology/epilation": every(W.test_oom_epilation),
    f"{OOM}/dermatology/camouflage": every(W.test_oom_camouflage)
    + lv(W.test_oom_camouflage_two_lessons_severe_condition),
    f"{OOM}/dermatology/otherwise": lv(W.test_oom_dermatology_kind_asks),
    **{f"{OOM}/foot_care/{v}": w(R.test_foot_care) for v in ("podotherapy", "pedicure")},
    f"{OOM}/foot_care/otherwise": lv(W.test_oom_foot_care_kind_asks),
    **{f"{OOM}/repatriation/{v}": lv(R.test_repatriation_sos)
       for v in ("search_and_rescue", "remains", "repatriation_stay", "repatriation")},
    f"{OOM}/other/otherwise": w(R.test_other_treatment_asks),
    # OOM International, table-level rules
    f"{OOM}/annual_maximum": MAXIMUM,
    f"{OOM}/deductible_exempt/repatriation": lv(R.test_repatriation_sos),
    f"{OOM}/regions": US + OUT_OF_REGION + w(W.test_oom_region_cells, *({"cell": c} for c in W.REGION_CELLS)),
    f"{OOM}/prior_authorisation": _matrix(),
    f"{OOM}/out_of_region_pct": OUT_OF_REGION,
    f"{OOM}/home_country_duty": w(R.test_netherlands_dutch_basic_insurance_duty),
    f"{OOM}/period_unit": DEDUCTIBLE,
    f"{OOM}/policy_end_inclusive": lv(R.test_policy_period),
    f"{OOM}/claim_deadline_years": w(R.test_claim_deadline_three_years,
                                     {"p": R.person("plus")}, {"p": R.person("top")}),
    # Voorlopig Verblijf, art. 16, 19, 20
    **_vv_benefit_witnesses(),
    **{f"{VV}/{t}/{t}": w(R.test_vv_transplant_plastic_only_after_accident_with_approval, {"ttype": t})
       for t in ("transplant", "plastic_surgery")},
    f"{VV}/dialysis/dialysis": w(R.test_vv_dialysis_needs_approval),
    f"{VV}/accommodation/accommodation": w(R.test_vv_accommodation_and_aids),
    f"{VV}/physiotherapy/physiotherapy_group": w(R.test_vv_counted_treatments,
                                                 {"ttype": "physiotherapy", "cat": "physiotherapy_group", "limit": 9}),
    f"{VV}/speech_therapy/speech_therapy": w(R.test_vv_counted_treatments,
                                             {"ttype": "speech_therapy", "cat": "speech_therapy", "limit": 12}),
    **{f"{VV}/{t}/{t}": w(R.test_vv_not_covered_types, {"ttype": t})
       for t in ("occupational_therapy", "dietetics", "fertility", "preventive_care", "optical")},
    f"{VV}/alternative_medicine/alternative_medicine": w(R.test_vv_not_covered_types,
                                                         {"ttype": "alternative_medicine"}),
    f"{VV}/dental/dental_accident": w(R.test_vv_dental_accident_350),
    f"{VV}/mental_health/psychotherapy": w(R.test_vv_psychotherapy_5_sessions_500_with_approval),
    **{f"{VV}/medical_aids/{v}": w(R.test_vv_accommodation_and_aids)
       for v in ("crutches_wheelchair", "prostheses_orthoses")},
    **{f"{VV}/repatriation/{v}": w(R.test_vv_sos_limits) for v in ("search_and_rescue", "remains", "repatriation")},
    **{f"{VV}/maternity/{v}": w(R.test_vv_pregnancy_only_complication_before_32_weeks)
       for v in ("pregnancy_complication", "otherwise")},
    f"{VV}/annual_maximum": w(R.test_vv_abroad_tariff_flagged_and_maximum),
    f"{VV}/area": w(R.test_vv_area_and_country_of_origin)
    + w(W.test_vv_area_country, *({"cell": c} for c in W.VV_AREA)),
    f"{VV}/home_country": w(R.test_vv_30_days_outside_netherlands),
    f"{VV}/outside_home_days": w(R.test_vv_30_days_outside_netherlands),
    f"{VV}/tariff_factor_abroad": w(R.test_vv_abroad_tariff_flagged_and_maximum) + w(W.test_vv_tariff_factor_abroad),
    f"{VV}/admission_after_end": w(W.test_vv_admission_begun_in_period_covered_after_end)
    + w(W.test_vv_admission_abroad_30_days_after_end),
    f"{OOM}/admission_after_end": w(W.test_oom_admission_after_end_not_covered),
    f"{VV}/policy_end_inclusive": w(R.test_vv_end_date_itself_not_covered),
    f"{VV}/claim_deadline_years": w(R.test_claim_deadline_three_years, {"p": R.vv()}),
    f"{VV}/period_unit": w(R.test_vv_deductible_per_insured_period),
    **_exclusion_witnesses(),
    # evaluator rules
    "evaluator/period_start": lv(R.test_policy_period),
    "evaluator/period_end": lv(R.test_policy_period) + w(R.test_vv_end_date_itself_not_covered),
    "evaluator/period_admission_date": w(W.test_vv_admission_begun_in_period_covered_after_end),
    "evaluator/claim_deadline": w(R.test_claim_deadline_three_years, {"p": R.person("plus")}, {"p": R.vv()}),
    "evaluator/premium_arrears_flag": w(R.test_premium_arrears_flagged_not_rejected),
    "evaluator/lines_per_treatment_type": w(R.test_mixed_line_types_are_evaluated_per_type),
    "evaluator/exclusion_per_line": w(R.test_exclusion_of_one_line_leaves_the_rest),
    "evaluator/nl_basic_insurance_duty": w(R.test_netherlands_dutch_basic_insurance_duty),
    "evaluator/out_of_region_pct_applied": OUT_OF_REGION,
    "evaluator/vv_country_of_origin": w(R.test_vv_area_and_country_of_origin),
    "evaluator/vv_country_of_origin_unknown": w(W.test_vv_country_of_origin_unknown_asks),
    "evaluator/vv_days_abroad_used": w(R.test_vv_30_days_outside_netherlands),
    "evaluator/vv_days_abroad_unknown": w(R.test_vv_unknown_days_abroad_is_asked_not_assumed),
    "evaluator/vv_tariff_cap_abroad_flag": w(R.test_vv_abroad_tariff_flagged_and_maximum),
    "evaluator/prior_authorisation_acute": _matrix(),
    "evaluator/prior_authorisation_planned": _matrix(),
    "evaluator/prior_authorisation_on_file": _matrix(),
    "evaluator/prior_authorisation_setting_unknown": w(W.test_prior_authorisation_setting_unknown_asks),
    "evaluator/authorisation_validity": w(R.test_prior_authorisation_out_of_validity),
    "evaluator/authorisation_country": w(W.test_prior_authorisation_for_another_country_does_not_count),
    "evaluator/units_from_descriptions": SESSIONS,
    "evaluator/limits_usage": capped(R.test_orthodontics_under_21_lifetime, plus="1200.00", top="1800.00"),
    "evaluator/annual_maximum": MAXIMUM,
    "evaluator/annual_maximum_usage": MAXIMUM,
    "evaluator/deductible": DEDUCTIBLE,
    "evaluator/deductible_usage": DEDUCTIBLE,
    "evaluator/deductible_once_per_stay": w(R.test_deductible_once_for_stay_across_years),
})


# --- the tests -----------------------------------------------------------------------------------

# Conditions that cannot change a decision because an earlier variant already takes every such claim;
# kept in the tables for clarity. xfail(strict): once a witness catches one, drop it from this list.
REDUNDANT = {
    "oom_international/dental/orthodontics_from_21/when[0].age_from":
        "orthodontics_under_21 (age below 21) is matched first",
    "oom_international/dental/orthodontics_from_21/when[1].age_from":
        "orthodontics_under_21 (facts.orthodontics, age below 21) is matched first",
    "oom_international/hospital_admission/zorgplan_parking_long/when[0].days_from":
        "zorgplan_parking_short (at most 5 days) is matched first",
}
RULES = all_rules()
SNAPSHOT = repr(T.tables())


def _name(fn, kw):
    args = ",".join(f"{k}={v!r}" for k, v in kw.items() if k != "p") + (",p=..." if "p" in kw else "")
    return f"{fn.__module__}.{fn.__name__}({args})"


def _run(calls):
    """(call name, exception or None) for each witness call."""
    out = []
    for fn, kw in calls:
        try:
            fn(**kw)
            out.append((_name(fn, kw), None))
        except Exception as e:  # noqa: BLE001 - reported below
            out.append((_name(fn, kw), e))
    return out


def _in_test_code(exc) -> bool:
    """An assertion, or an error raised by the test itself (e.g. a missing usage entry), is a failure;
    an error raised inside coverage/ means the ablation broke the code instead."""
    if isinstance(exc, AssertionError):
        return True
    tb = exc.__traceback__
    while tb.tb_next is not None:
        tb = tb.tb_next
    return "/tests/" in tb.tb_frame.f_code.co_filename


def witnesses(rule) -> list:
    """The rule's own witnesses; a benefit row's rules also run the other witnesses of that row."""
    calls = list(WITNESSES.get(rule.key) or [])
    if rule.product is not None and rule.key.count("/") == 2:
        row = rule.key.rsplit("/", 1)[0] + "/"
        for key, more in WITNESSES.items():
            if key.startswith(row) and key != rule.key:
                calls += [c for c in more if c not in calls]
    return calls


def _apply(rule, monkeypatch):
    if rule.patch is not None:
        rule.patch(monkeypatch)
        return
    original = T.tables()
    ablated = rule.table(original[rule.product])
    assert ablated != original[rule.product], f"rule {rule.id}: the ablation leaves the table unchanged"
    patched = {**original, rule.product: ablated}
    monkeypatch.setattr(T, "tables", lambda folder=None: patched if folder is None else original)
    monkeypatch.setattr(T, "get_table", lambda product: patched[product])
    monkeypatch.setattr(E, "get_table", lambda product: patched[product])


def test_ablation_reaches_the_evaluator(monkeypatch):
    """The harness itself: an ablated table is the one evaluate() uses, and it is restored afterwards."""
    gp = f"{OOM}/general_practice/general_practice/plus"
    rule = next(r for r in RULES if r.id == gp)
    ev = W.run(W.oom("plus"), "general_practice", "100.00", "GP consult")
    assert ev.reimbursed == Decimal("100.00")
    with monkeypatch.context() as mp:
        _apply(rule, mp)
        assert W.run(W.oom("plus"), "general_practice", "100.00", "GP consult").decision == "not_covered"
    assert W.run(W.oom("plus"), "general_practice", "100.00", "GP consult").reimbursed == Decimal("100.00")


def test_rule_ids_are_unique():
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def test_every_rule_has_a_witness():
    missing = sorted({r.id for r in RULES if not WITNESSES.get(r.key)})
    assert not missing, f"rules without a witness test (map them in WITNESSES): {missing}"


def test_no_stale_witness_keys():
    stale = sorted(set(WITNESSES) - {r.key for r in RULES})
    assert not stale, f"WITNESSES keys that match no rule any more: {stale}"


@pytest.mark.parametrize("rule", [
    pytest.param(r, id=r.id,
                 marks=[pytest.mark.xfail(strict=True, reason=REDUNDANT[r.id])] if r.id in REDUNDANT else [])
    for r in RULES])
def test_removing_the_rule_fails_a_witness(rule, monkeypatch):
    assert WITNESSES.get(rule.key), f"rule {rule.id}: no witness test mapped (add one to WITNESSES under {rule.key!r})"
    own = WITNESSES[rule.key]
    calls = witnesses(rule)
    before = _run(calls)
    broken = [r for c, r in zip(calls, before) if c in own and r[1] is not None]
    assert not broken, f"rule {rule.id}: its witnesses fail even without the ablation: {broken[:3]}"
    # the row's other witnesses join only when they pass (a failing one is reported in its own file)
    calls = [c for c, r in zip(calls, before) if r[1] is None]
    with monkeypatch.context() as mp:
        _apply(rule, mp)
        results = _run(calls)
    assert repr(T.tables()) == SNAPSHOT, "an ablation leaked into the cached tables"
    caught = [n for n, e in results if e is not None and _in_test_code(e)]
    crashed = [(n, f"{type(e).__name__}: {e}") for n, e in results if e is not None and not _in_test_code(e)]
    assert not crashed, f"rule {rule.id}: the ablation crashed a witness instead of failing it: {crashed[:3]}"
    assert caught, f"rule {rule.id}: removing it changes no witness outcome ({len(calls)} run): " \
                   f"no test proves it, or the code ignores it"
