"""Property tests: amounts stay within bounds and re-evaluation is idempotent."""
import atexit
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal as D

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from coverage.claim import parse_claim
from coverage.evaluator import evaluate
from coverage.insured import parse_insured
from coverage.tables import TREATMENT_TYPES
from pipeline.coverage_service import evaluate_claim
from pipeline.db import session_factory
from pipeline.store import UsageEntry

COUNTRIES = ["DE", "NL", "US", "SG", "TH", "FR", "BR", "AE", "CN", "BE", "MX"]
DESCRIPTIONS = ["Consult", "Physiotherapie 6x", "Vitamin C", "Orthodontic braces", "Ambulance",
                "Hotel 3 nights", "Crutches", "Full body scan", "Rx antibiotics", "Yellow fever vaccine",
                "Acne laser", "Pedicure", "IVF cycle", "Search and rescue", "Kraamzorg", "Taxi 12 km"]
amounts = st.decimals(min_value=D("0"), max_value=D("50000"), places=2, allow_nan=False, allow_infinity=False)


@st.composite
def people(draw):
    product = draw(st.sampled_from(["oom_international", "voorlopig_verblijf_nl"]))
    data = {"insured_id": "H-" + uuid.uuid4().hex[:8], "product": product,
            "deductible_eur": str(draw(st.sampled_from([0, 100, 250, 500, 1000]))),
            "insurance_year_start": "2026-01-01", "policy_start": "2025-06-01",
            "date_of_birth": draw(st.sampled_from(["1960-01-01", "1990-05-05", "2008-03-03", "2015-07-07"])),
            "sex": draw(st.sampled_from(["female", "male"])), "country_of_origin": "BR", "nationality": "BR",
            "modules": draw(st.sampled_from([[], ["dental_300"]])),
            "dutch_basic_insurance_duty": draw(st.sampled_from([None, False, True])),
            "prior_authorisations": draw(st.sampled_from([[], [
                {"reference": "X", "treatment_type": t, "country": None, "valid_from": "2026-01-01",
                 "valid_to": "2026-12-31"} for t in ("hospital_admission", "fertility", "repatriation")]]))}
    if product == "oom_international":
        data.update(coverage=draw(st.sampled_from(["plus", "top"])),
                    region=draw(st.sampled_from(["A", "B+", "B", "C+", "C"])))
    return parse_insured(data)


@st.composite
def claims(draw):
    ttype = draw(st.sampled_from(TREATMENT_TYPES))
    lines = draw(st.lists(st.tuples(st.sampled_from(DESCRIPTIONS), amounts,
                                    st.sampled_from([None, ttype, "general_practice"])), max_size=3))
    total = draw(amounts)
    facts = draw(st.fixed_dictionaries({}, optional={
        "acute": st.booleans(), "accident": st.booleans(), "prescription": st.booleans(),
        "sessions": st.integers(0, 30), "days": st.integers(0, 40), "hours": st.integers(0, 12),
        "event_ref": st.sampled_from(["a", "b"]), "dental_special": st.booleans(),
        "official_request": st.booleans(), "transport": st.sampled_from(["taxi", "own_car"]),
        "km": st.integers(0, 500), "vaccination": st.sampled_from(["travel", "exposure"]),
        "dutch_basic_insurance_duty": st.booleans(), "pregnancy_complication_before_32w": st.booleans()}))
    day = date(2026, 1, 1) + timedelta(days=draw(st.integers(0, 364)))
    fields = {"invoice_date": day.isoformat(), "country": draw(st.sampled_from(COUNTRIES)),
              "currency": "EUR", "total_amount": str(total), "treatment_type": ttype,
              "setting": draw(st.sampled_from(["inpatient", "daycare", "outpatient", None])),
              "line_items": [{"description": d, "amount": str(a), "treatment_type": t} for d, a, t in lines]}
    return fields, facts


@st.composite
def usages(draw):
    cats = ["physiotherapy_group", "deductible", "annual_maximum", "dental_module", "psychotherapy",
            "travel_vaccination", "optical", "days_abroad"]
    out = {}
    for cat in draw(st.lists(st.sampled_from(cats), unique=True, max_size=4)):
        for period in ("2026-01-01", "p2025-06-01", "2y2025-01-01"):
            out[(cat, period)] = (draw(st.integers(0, 40)), draw(amounts))
    return out


@settings(max_examples=300, deadline=None)
@given(people(), claims(), usages())
def test_amounts_within_bounds(person, claim, used):
    fields, facts = claim
    eur = D(fields["total_amount"])
    ev = evaluate(person, parse_claim(fields, facts), eur, used, today=date(2026, 12, 31))
    assert ev.reimbursed >= 0 and ev.deductible_applied >= 0
    assert ev.reimbursed + ev.deductible_applied <= eur
    period = "p2025-06-01" if person.product == "voorlopig_verblijf_nl" else "2026-01-01"
    already = used.get(("deductible", period), (0, D(0)))[1]
    assert ev.deductible_applied <= max(D(0), person.deductible_eur - already)
    assert ev.decision in ("covered", "partially_covered", "not_covered", "pending_information")
    if ev.decision == "pending_information":
        assert ev.reimbursed == 0 and ev.entries == {} and any(r.needs_review for r in ev.reasons)
    assert all(r.article for r in ev.reasons)
    assert ev.as_contract()["reimbursed_eur"] == f"{ev.reimbursed:.2f}"


_DB = tempfile.mkdtemp(prefix="cov-prop-")
atexit.register(shutil.rmtree, _DB, True)


@dataclass(frozen=True)
class Conv:
    amount: D


def _rows(s, insured_id):
    return sorted((r.document_id, r.category, r.period, r.count, r.amount_eur) for r in
                  s.scalars(select(UsageEntry).where(UsageEntry.insured_id == insured_id)))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people(), st.lists(claims(), min_size=1, max_size=6), st.data())
def test_reevaluation_is_idempotent_and_deductible_bounded(person, batch, data):
    sessions = session_factory(f"sqlite:///{_DB}/prop.sqlite")
    outputs = []
    for i, (fields, facts) in enumerate(batch):
        with sessions.begin() as s:
            outputs.append(evaluate_claim(s, person, fields, Conv(D(fields["total_amount"])), f"d{i}", facts=facts,
                                          today=date(2026, 12, 31)))
    with sessions() as s:
        before = _rows(s, person.insured_id)
    last = len(batch) - 1
    fields, facts = batch[last]  # it saw the others' usage: the same again, rows unchanged
    with sessions.begin() as s:
        again = evaluate_claim(s, person, fields, Conv(D(fields["total_amount"])), f"d{last}", facts=facts,
                               today=date(2026, 12, 31))
    with sessions() as s:
        after = _rows(s, person.insured_id)
    assert again == outputs[last] and after == before
    i = data.draw(st.integers(0, last))  # any document evaluated twice more: stable from then on
    fields, facts = batch[i]
    results, rows = [], []
    for _ in range(2):
        with sessions.begin() as s:
            results.append(evaluate_claim(s, person, fields, Conv(D(fields["total_amount"])), f"d{i}",
                                          facts=facts, today=date(2026, 12, 31)))
        with sessions() as s:
            rows.append(_rows(s, person.insured_id))
    assert results[0] == results[1] and rows[0] == rows[1]
    per_period = {}
    for doc, cat, period, count, amount in after:
        if cat == "deductible":
            per_period[period] = per_period.get(period, D(0)) + D(amount)
    assert all(v <= person.deductible_eur for v in per_period.values())
    total_deductible = sum(D(o["deductible_applied_eur"]) for o in outputs)
    assert total_deductible <= person.deductible_eur * 2  # at most two periods in one batch
