"""facts.review_lines: the reviewer's answer to a review part (table review_lines, or a variant spec `review`).

Zorgplan (OOM International art. 9) pays these benefits at 100% and without deductible (art. 7); an
art. 9-only benefit is not paid without the module; a zorghotel line (also art. 8 Top) may be paid then,
under art. 8 with the deductible."""
from decimal import Decimal as D

import pytest

from coverage.claim import ClaimError, parse_claim
from review import fields as F
from test_coverage_rules import codes, paid, person, run

Y = "2026-01-01"
STAY = ("Verpleegdagen 3 nachten", "3000.00", "hospital_admission")
HOSPICE = ("Hospice: eigen bijdrage 5 dagen", "500.00", "accommodation")
ZORGHOTEL = ("Herstellingsoord 5 nachten", "500.00", "hospital_admission")  # review line (not accommodation)
BIRTH = ("Geboortecentrum: hotelfaciliteiten partner", "500.00", "maternity")
PRENATAL = ("Prenatal check-up by midwife", "200.00", "maternity")
ART = {HOSPICE: "OOM International art. 9, Hospice",
       ZORGHOTEL: "OOM International art. 8, Zorghotel in Nederland; art. 9, Zorghotel",
       BIRTH: "OOM International art. 8, Zwangerschap, bevalling en kraamzorg; art. 9, Kraamzorg"}
CODE = {HOSPICE: "zorgplan_hospice", ZORGHOTEL: "zorgplan_zorghotel", BIRTH: "zorgplan_birth_centre_facilities"}


def insured(module=True, level="plus", **kw):
    return person(level, deductible_eur="250", **({"modules": ["zorgplan"]} if module else {}), **kw)


def claim(p, *lines, answer=None, ttype=None, usage=None):
    amount = f"{sum(D(a) for _, a, _ in lines):.2f}"
    facts = {"event_ref": "e"} if answer is None else {"event_ref": "e", "review_lines": answer}
    return run(p, ttype or lines[0][2], amount, country="NL", setting="inpatient", lines=lines, facts=facts,
               usage=usage)


def reason(ev, code):
    (found,) = [r for r in ev.reasons if r.code == code]
    return found


@pytest.mark.parametrize("line,module", [(HOSPICE, True), (ZORGHOTEL, True), (ZORGHOTEL, False),
                                         (BIRTH, True), (HOSPICE, False), (BIRTH, False)])
def test_without_the_fact_the_reviewer_is_asked_how_to_answer(line, module):
    ev = claim(insured(module), line)
    assert (ev.decision, paid(ev)) == ("pending_information", 0)
    q = reason(ev, CODE[line])
    assert q.needs_review and q.article == ART[line]
    assert "facts.review_lines (covered / not_covered) after splitting the lines" in q.message


@pytest.mark.parametrize("line", [HOSPICE, ZORGHOTEL, BIRTH])
def test_covered_with_zorgplan_pays_in_full_without_deductible(line):
    ev = claim(insured(), line, answer="covered")
    assert (ev.decision, paid(ev), ev.deductible_applied) == ("covered", D("500.00"), 0)
    r = reason(ev, CODE[line] + "_covered")
    assert r.article == ART[line] and "reviewer confirmed" in r.message and "without deductible" in r.message
    # next to an ordinary line the deductible falls on that line only
    ev = claim(insured(), STAY, line, answer="covered")
    assert (paid(ev), ev.deductible_applied) == (D("3250.00"), D("250.00"))


@pytest.mark.parametrize("line", [HOSPICE, ZORGHOTEL, BIRTH])
@pytest.mark.parametrize("module", [True, False])
def test_not_covered_pays_nothing_for_that_part_only(line, module):
    ev = claim(insured(module), STAY, line, answer="not_covered")
    assert (ev.decision, paid(ev), ev.deductible_applied) == ("partially_covered", D("2750.00"), D("250.00"))
    assert reason(ev, CODE[line] + "_not_covered").article == ART[line]
    assert "covered" in codes(ev)  # the stay went through its own row
    ev = claim(insured(module), line, answer="not_covered")
    assert (ev.decision, paid(ev)) == ("not_covered", 0)


def test_art_9_only_benefit_without_the_module_is_refused():
    ev = claim(insured(False), HOSPICE, answer="covered")
    assert (ev.decision, paid(ev)) == ("not_covered", 0)
    r = reason(ev, "zorgplan_hospice_zorgplan_missing")
    assert r.article == ART[HOSPICE] and "Zorgplan module is not in the policy" in r.message
    ev = claim(insured(False), STAY, HOSPICE, answer="covered")
    assert (ev.decision, paid(ev)) == ("partially_covered", D("2750.00"))


@pytest.mark.parametrize("line", [ZORGHOTEL, BIRTH])
def test_art_8_benefit_without_the_module_is_paid_with_the_deductible(line):
    ev = claim(insured(False, level="top"), line, answer="covered")
    assert (ev.decision, paid(ev), ev.deductible_applied) == ("covered", D("250.00"), D("250.00"))
    assert "the deductible applies" in reason(ev, CODE[line] + "_covered").message


def test_zorghotel_zorgplan_variant_review_is_answered_the_same_way():
    line = ("Zorghotel 5 nachten", "800.00", "accommodation")  # accommodation row: spec `review`
    q = reason(claim(insured(), line), "zorghotel_zorgplan_review")
    assert "psychological" in q.message and "facts.review_lines (covered / not_covered)" in q.message
    ev = claim(insured(), line, answer="covered")
    assert (ev.decision, paid(ev), ev.deductible_applied) == ("covered", D("800.00"), 0)
    assert reason(ev, "zorghotel_zorgplan_review_covered").article == "OOM International art. 9, Zorghotel"
    ev = claim(insured(), STAY, line, answer="not_covered", ttype="hospital_admission")
    assert (ev.decision, paid(ev)) == ("partially_covered", D("2750.00"))
    assert "zorghotel_zorgplan_review_not_covered" in codes(ev)


def test_annual_maximum_still_applies():
    usage = {("annual_maximum", Y): (0, D("2499800"))}  # Plus: EUR 2,500,000, EUR 200 left
    ev = claim(insured(), HOSPICE, answer="covered", usage=usage)
    assert (paid(ev), ev.deductible_applied) == (D("200.00"), 0)
    assert "annual_maximum_reached" in codes(ev)
    assert ev.entries[("annual_maximum", Y)] == [0, D("200.00")]


@pytest.mark.parametrize("value", ["yes", "Covered", True, 1])
def test_invalid_answer_names_the_fact(value):
    fields = {"invoice_date": "2026-05-04", "country": "NL", "currency": "EUR", "total_amount": "500.00",
              "treatment_type": "accommodation"}
    with pytest.raises(ClaimError) as e:
        parse_claim(fields, {"review_lines": value})
    assert e.value.field == "facts.review_lines" and "covered, not_covered" in str(e.value)
    assert parse_claim(fields, {"review_lines": "covered"}).facts == {"review_lines": "covered"}


def test_review_form_offers_the_fact():
    assert ("review_lines", ("covered", "not_covered")) in F.fact_spec()
    assert F.validate_facts({"fact.review_lines": "not_covered"}) == ({"review_lines": "not_covered"}, {})
    facts, errors = F.validate_facts({"fact.review_lines": "maybe"})
    assert facts == {} and set(errors) == {"facts.review_lines"}


@pytest.mark.parametrize("level,country", [("plus", "NL"), ("top", "BE")])
def test_zorghotel_without_the_module_outside_the_art_8_row_is_refused(level, country):
    ev = run(insured(False, level=level), "hospital_admission", "500.00", country=country, setting="inpatient",
             lines=(ZORGHOTEL,), facts={"event_ref": "e", "review_lines": "covered"})
    assert (ev.decision, paid(ev)) == ("not_covered", 0)
    message = reason(ev, "zorgplan_zorghotel_zorgplan_missing").message
    assert "art. 8, Zorghotel in Nederland (Top, in NL)" in message
    assert f"this claim is {level.capitalize()}, in {country}" in message
