"""Issue 5 gaps: a hospital stay past the policy end, the 2 x Dutch tariff abroad (Voorlopig Verblijf
art. 11), the Zorgplan module and the preventive / camouflage / IVF limits of OOM International."""
from datetime import date
from decimal import Decimal as D

import pytest

from coverage.claim import ClaimError, parse_claim
from test_coverage_rules import LEVELS, codes, paid, person, run, vv

AFTER = date(2027, 6, 1)  # "today" for invoices after the VV policy end (2027-01-31)
ABROAD = {"days_abroad": 5, "dutch_tariff_eur": "100000"}  # no abroad questions in the stay tests


def reason(ev, code):
    (found,) = [r for r in ev.reasons if r.code == code]
    return found


# --- 1. a hospital stay that began during the policy and runs past its end ------------------------

def test_vv_stay_in_netherlands_covered_after_end():
    ev = run(vv(), "hospital_admission", "5000.00", country="NL", setting="inpatient", day="2027-03-20",
             today=AFTER, facts={"admission_date": "2027-01-20", "days": 50})
    assert ev.decision == "covered" and paid(ev) == D("5000.00")
    assert reason(ev, "admission_after_end_covered").article == "OOM Voorlopig Verblijf art. 19, Ziekenhuisopname"
    # without days: the Dutch stay is covered whole, nothing to ask
    ev = run(vv(), "hospital_admission", "5000.00", country="NL", setting="inpatient", day="2027-05-20",
             today=AFTER, facts={"admission_date": "2027-01-20"})
    assert ev.decision == "covered" and "admission_after_end_covered" in codes(ev)


def test_vv_stay_abroad_paid_up_to_30_days_after_end():
    # nights 2027-01-20 .. 2027-03-10; the end date is 2027-01-31, so nights up to 2027-03-01 count: 41 of 50
    ev = run(vv(), "hospital_admission", "5000.00", country="BE", setting="inpatient", day="2027-03-11",
             today=AFTER, facts={"admission_date": "2027-01-20", "days": 50, **ABROAD})
    assert ev.decision == "partially_covered" and paid(ev) == D("4100.00")
    r = reason(ev, "admission_after_end_limited")
    assert r.article == "OOM Voorlopig Verblijf art. 19, Ziekenhuisopname" and "41 of 50" in r.message
    # a stay that ends within the 30 days is paid whole
    ev = run(vv(), "hospital_admission", "5000.00", country="BE", setting="inpatient", day="2027-03-02",
             today=AFTER, facts={"admission_date": "2027-01-20", "days": 41, **ABROAD})
    assert ev.decision == "covered" and paid(ev) == D("5000.00") and "admission_after_end_covered" in codes(ev)


def test_vv_stay_abroad_without_days_asks_only_past_30_days():
    late = run(vv(), "hospital_admission", "5000.00", country="BE", setting="inpatient", day="2027-03-10",
               today=AFTER, facts={"admission_date": "2027-01-20", **ABROAD})
    assert late.decision == "pending_information" and paid(late) == 0
    assert "facts.days" in reason(late, "admission_days_unknown").message
    early = run(vv(), "hospital_admission", "5000.00", country="BE", setting="inpatient", day="2027-02-20",
                today=AFTER, facts={"admission_date": "2027-01-20", **ABROAD})
    assert early.decision == "covered" and paid(early) == D("5000.00")


def test_admission_after_end_is_not_covered_and_unknown_admission_is_asked():
    ev = run(vv(), "hospital_admission", "5000.00", country="NL", setting="inpatient", day="2027-03-01",
             today=AFTER, facts={"admission_date": "2027-01-31"})
    assert ev.decision == "not_covered" and "outside_policy_period" in codes(ev)
    ev = run(vv(), "hospital_admission", "5000.00", country="NL", setting="inpatient", day="2027-03-01",
             today=AFTER)
    assert ev.decision == "pending_information"
    assert "facts.admission_date" in reason(ev, "admission_date_unknown").message
    # other care after the end is simply outside the period
    ev = run(vv(), "specialist", "100.00", country="NL", day="2027-03-01", today=AFTER)
    assert ev.decision == "not_covered" and "outside_policy_period" in codes(ev)


@pytest.mark.parametrize("level", LEVELS)
def test_oom_international_pays_only_nights_until_the_end(level):
    p = person(level, policy_start="2026-02-01", policy_end="2026-10-31")
    # nights 2026-10-25 .. 2026-11-03; the end date is covered, so 7 of 10 nights
    ev = run(p, "hospital_admission", "1000.00", setting="inpatient", day="2026-11-04", today=date(2026, 12, 1),
             facts={"admission_date": "2026-10-25", "days": 10})
    assert ev.decision == "partially_covered" and paid(ev) == D("700.00")
    assert reason(ev, "admission_after_end_limited").article == "OOM International art. 3"
    ev = run(p, "hospital_admission", "1000.00", setting="inpatient", day="2026-11-04", today=date(2026, 12, 1),
             facts={"admission_date": "2026-10-25"})
    assert ev.decision == "pending_information" and "admission_days_unknown" in codes(ev)
    ev = run(p, "hospital_admission", "1000.00", setting="inpatient", day="2026-10-31", today=date(2026, 12, 1),
             facts={"admission_date": "2026-10-25", "days": 7})
    assert ev.decision == "covered" and paid(ev) == D("1000.00")
    assert not [c for c in codes(ev) if c.startswith("admission_after_end")]


# --- 2. Voorlopig Verblijf art. 11: abroad at most 2 x the Dutch tariff --------------------------

def test_vv_abroad_without_dutch_tariff_pays_and_asks():
    ev = run(vv(), "specialist", "1000.00", country="BE", facts={"days_abroad": 2})
    assert ev.decision == "covered" and paid(ev) == D("1000.00")
    r = reason(ev, "tariff_cap_abroad")
    assert r.needs_review and "facts.dutch_tariff_eur" in r.message and r.article == "OOM Voorlopig Verblijf art. 11"


def test_vv_abroad_capped_at_twice_the_dutch_tariff():
    ev = run(vv(deductible_eur="100"), "specialist", "1000.00", country="BE",
             facts={"days_abroad": 2, "dutch_tariff_eur": "300"})
    assert (paid(ev), ev.deductible_applied, ev.decision) == (D("500.00"), D("100.00"), "partially_covered")
    r = reason(ev, "tariff_cap_abroad_applied")
    assert r.article == "OOM Voorlopig Verblijf art. 11" and not r.needs_review and "600.00" in r.message
    within = run(vv(), "specialist", "1000.00", country="BE", facts={"days_abroad": 2, "dutch_tariff_eur": "500"})
    assert paid(within) == D("1000.00") and "tariff_cap_abroad_checked" in codes(within)
    assert not any(r.needs_review for r in within.reasons)


def test_vv_tariff_cap_not_in_netherlands_and_shrinks_category_use():
    home = run(vv(), "specialist", "1000.00", country="NL", facts={"dutch_tariff_eur": "300"})
    assert paid(home) == D("1000.00") and not [c for c in codes(home) if c.startswith("tariff")]
    ev = run(vv(), "dental", "900.00", country="BE", facts={"accident": True, "days_abroad": 1,
                                                          "dutch_tariff_eur": "100"})
    assert paid(ev) == D("200.00")
    assert ev.entries[("dental_accident", "p2026-02-01")][1] == D("200.00")


@pytest.mark.parametrize("value", ["abc", "-5", True])
def test_dutch_tariff_fact_must_be_an_amount(value):
    fields = {"invoice_date": "2026-05-04", "country": "BE", "currency": "EUR", "total_amount": "10",
              "treatment_type": "specialist"}
    with pytest.raises(ClaimError) as err:
        parse_claim(fields, {"dutch_tariff_eur": value})
    assert err.value.field == "facts.dutch_tariff_eur"
    assert parse_claim(fields, {"dutch_tariff_eur": "12.50"}).facts["dutch_tariff_eur"] == D("12.50")


# --- 3. OOM International Zorgplan module (art. 9), no deductible (art. 7) ------------------------

STAY = ("Hospital stay 3 nights", "3000.00")


def zp(level, **kw):
    return person(level, **{"modules": ["zorgplan"], "deductible_eur": "250", **kw})


@pytest.mark.parametrize("level", LEVELS)
def test_zorgplan_comfort_paid_apart_from_the_stay_without_deductible(level):
    lines = (STAY, ("Single room supplement (eenpersoonskamer)", "400.00"))
    ev = run(zp(level), "hospital_admission", "3400.00", setting="inpatient", lines=lines)
    assert (ev.decision, paid(ev), ev.deductible_applied) == ("covered", D("3150.00"), D("250.00"))
    assert any(r.code == "covered" and r.article.startswith("OOM International art. 9") for r in ev.reasons)
    capped = run(zp(level), "hospital_admission", "3400.00", setting="inpatient", lines=lines,
                 usage={("zorgplan_comfort", "2026-01-01"): (0, D("2300"))})
    assert paid(capped) == D("2950.00") and "zorgplan_comfort_cap_reached" in codes(capped)


@pytest.mark.parametrize("level", LEVELS)
def test_zorgplan_comfort_not_covered_without_module_or_outside_nl_be_de(level):
    lines = (STAY, ("Luxury package: TV, fridge", "400.00"))
    ev = run(person(level), "hospital_admission", "3400.00", setting="inpatient", lines=lines)
    assert (ev.decision, paid(ev)) == ("partially_covered", D("3000.00"))
    assert "art. 8, Ziekenhuisopname" in reason(ev, "comfort_without_zorgplan_not_covered").article
    ev = run(zp(level), "hospital_admission", "3400.00", country="FR", setting="inpatient", lines=lines)
    assert (ev.decision, paid(ev)) == ("partially_covered", D("2750.00"))
    assert "zorgplan_comfort_outside_nl_be_de_not_covered" in codes(ev)


@pytest.mark.parametrize("level", LEVELS)
def test_zorgplan_parking_by_length_of_stay(level):
    def parking(amount, facts=None, desc="Parkeerkosten", p=None):
        return run(p or zp(level, deductible_eur="0"), "hospital_admission", amount, country="NL",
                   setting="inpatient", lines=((desc, amount),), facts=facts)
    assert paid(parking("80.00", {"days": 5})) == D("50.00")
    assert paid(parking("80.00", {"days": 6})) == D("80.00")
    assert paid(parking("150.00", {"days": 9})) == D("100.00")
    assert paid(parking("150.00", desc="Parking 7 days")) == D("100.00")
    asked = parking("80.00")
    assert asked.decision == "pending_information" and "facts.days" in reason(asked, "days_unknown").message
    none = parking("80.00", {"days": 5}, p=person(level))
    assert none.decision == "not_covered" and "comfort_without_zorgplan_not_covered" in codes(none)


@pytest.mark.parametrize("level", LEVELS)
def test_zorgplan_two_nights_after_discharge(level):
    lines = (("Logeerhuis 3 nights after discharge", "450.00"),)
    f = {"event_ref": "stay-1"}
    ev = run(zp(level), "accommodation", "450.00", lines=lines, facts=f)
    assert (paid(ev), ev.deductible_applied) == (D("200.00"), 0)
    assert reason(ev, "zorgplan_nights_after_discharge_count_exhausted").article.startswith("OOM International art. 9")
    ev = run(person(level, deductible_eur="250"), "accommodation", "450.00", lines=lines, facts=f)
    assert (paid(ev), ev.deductible_applied) == (D("50.00"), D("250.00"))  # art. 8 Verblijfskosten only


def test_room_supplement_is_not_a_food_supplement():
    ev = run(person("plus"), "medication", "30.00", lines=(("Magnesium food supplement", "30.00"),))
    assert ev.decision == "not_covered" and "excluded_vitamins_supplements" in codes(ev)
    ev = run(zp("plus"), "hospital_admission", "400.00", setting="inpatient",
             lines=(("Single room supplement", "400.00"),))
    assert "excluded_vitamins_supplements" not in codes(ev) and paid(ev) == D("400.00")


# --- 4. preventive care frequencies, camouflage lessons, IVF/ICSI conditions (art. 8) -------------

@pytest.mark.parametrize("level", LEVELS)
def test_full_body_scan_once_per_five_insurance_years(level):
    line = (("Full body scan", "800.00"),)
    first = run(person(level), "preventive_care", "800.00", lines=line)
    if level == "plus":
        assert first.decision == "not_covered" and "full_body_scan_not_covered" in codes(first)
        return
    (key,) = [k for k in first.entries if k[0] == "full_body_scan"]  # policy from 2024: block 2024..2028
    assert key == ("full_body_scan", "5y2024-01-01") and first.entries[key][0] == 1
    later = run(person(level), "preventive_care", "800.00", lines=line, day="2028-12-01", today=date(2029, 1, 1),
                usage={key: (1, D("600"))})
    assert paid(later) == 0 and "full_body_scan_count_exhausted" in codes(later)
    nxt = run(person(level), "preventive_care", "800.00", lines=line, day="2029-01-02", today=date(2029, 2, 1),
              usage={key: (1, D("600"))})
    assert paid(nxt) == D("600.00")


SCREENINGS = [  # (description, sex, born, category, period key prefix)
    ("Cardiovascular check-up", "female", "1990-05-17", "prevention_cardiovascular", "2y"),
    ("Pap smear (uitstrijkje)", "female", "1990-05-17", "prevention_cervical", "5y"),
    ("Screening mammography", "female", "1990-05-17", "prevention_breast", "2y"),
    ("PSA test", "male", "1980-05-17", "prevention_prostate", "2y"),
    ("Colon cancer screening (FIT)", "male", "1990-05-17", "prevention_colon", "5y"),
]


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("desc,sex,born,category,prefix", SCREENINGS)
def test_preventive_screenings_counted_once_per_period(level, desc, sex, born, category, prefix):
    p = person(level, sex=sex, date_of_birth=born)
    ev = run(p, "preventive_care", "300.00", lines=((desc, "300.00"),))
    assert ev.decision == "covered" and paid(ev) == D("300.00")
    (key,) = [k for k in ev.entries if k[0] == category]
    assert key[1].startswith(prefix) and ev.entries[key][0] == 1
    again = run(p, "preventive_care", "300.00", lines=((desc, "300.00"),), usage={key: (1, D("300"))})
    assert paid(again) == 0 and f"{category}_count_exhausted" in codes(again)


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("desc,sex,born", [
    ("Pap smear", "female", "2007-01-01"),          # under 21
    ("Screening mammography", "female", "2000-01-01"),  # under 30
    ("PSA test", "male", "1990-05-17"),             # under 40
    ("PSA test", "female", "1970-01-01"),
])
def test_preventive_screening_outside_age_or_sex_not_covered(level, desc, sex, born):
    ev = run(person(level, sex=sex, date_of_birth=born), "preventive_care", "100.00", lines=((desc, "100.00"),))
    assert ev.decision == "not_covered" and "screening_age_or_sex_not_covered" in codes(ev)


@pytest.mark.parametrize("level", LEVELS)
def test_youth_health_care_covered_other_preventive_asked(level):
    ev = run(person(level), "preventive_care", "90.00", lines=(("Consultatiebureau visit", "90.00"),))
    assert ev.decision == "covered" and paid(ev) == D("90.00")
    ev = run(person(level), "preventive_care", "90.00", lines=(("Executive health check", "90.00"),))
    assert ev.decision == "pending_information" and "preventive_kind_unknown" in codes(ev)
    ev = run(person(level, sex=None, date_of_birth="1970-01-01"), "preventive_care", "90.00",
             lines=(("PSA test", "90.00"),))
    assert ev.decision == "pending_information" and codes(ev) == ["sex_unknown"]


@pytest.mark.parametrize("level,cap", [("plus", "70.00"), ("top", "120.00")])
def test_camouflage_two_lessons_per_year_for_face_or_neck(level, cap):
    line = (("Camouflage instruction 1 lesson", "200.00"),)
    ok = {"severe_skin_condition_face_neck": True}
    assert paid(run(person(level), "dermatology", "200.00", lines=line, facts=ok)) == D(cap)
    asked = run(person(level), "dermatology", "200.00", lines=line)
    assert asked.decision == "pending_information" and "severe_skin_condition_face_neck_unknown" in codes(asked)
    no = run(person(level), "dermatology", "200.00", lines=line, facts={"severe_skin_condition_face_neck": False})
    assert no.decision == "not_covered"
    used = {("camouflage", "2026-01-01"): (2, D("10"))}
    full = run(person(level), "dermatology", "200.00", lines=line, facts=ok, usage=used)
    assert paid(full) == 0 and "camouflage_count_exhausted" in codes(full)
    ev = run(person(level), "dermatology", "50.00", lines=(("Camouflage lessons", "50.00"),), facts=ok)
    assert ev.decision == "pending_information" and "sessions_unknown" in codes(ev)


@pytest.mark.parametrize("level", LEVELS)
def test_fertility_conditions(level):
    p = person(level, prior_authorisations=[{"reference": "R-1", "treatment_type": "fertility", "country": None,
                                             "valid_from": "2026-01-01", "valid_to": "2026-12-31"}])
    line = (("Ovulation induction", "1200.00"),)
    ok = {"primary_childlessness": True, "first_child": True}
    assert paid(run(p, "fertility", "1200.00", lines=line, facts=ok)) == D("1200.00")
    asked = run(p, "fertility", "1200.00", lines=line)
    assert asked.decision == "pending_information"
    assert {"primary_childlessness_unknown", "first_child_unknown"} <= set(codes(asked))
    second = run(p, "fertility", "1200.00", lines=line, facts={**ok, "first_child": False})
    assert second.decision == "not_covered" and "first_child_required" in codes(second)
    old = run(person(level, date_of_birth="1983-05-01", prior_authorisations=p.raw["prior_authorisations"]),
              "fertility", "1200.00", lines=line, facts=ok)  # 43 on 2026-05-01
    assert old.decision == "not_covered" and "fertility_from_43_not_covered" in codes(old)
    pgd = run(p, "fertility", "5000.00", lines=(("IVF with PGD", "5000.00"),), facts={**ok, "sessions": 1})
    assert pgd.decision == "not_covered" and "fertility_pgd_not_covered" in codes(pgd)
    ivf = run(p, "fertility", "5000.00", lines=(("IVF cycle", "5000.00"),), facts={**ok, "sessions": 1})
    assert paid(ivf) == D("3000.00")
    male = run(person(level, sex="male"), "fertility", "1200.00", lines=line, facts=ok)
    assert male.decision == "pending_information" and "fertility_woman_unknown" in codes(male)
