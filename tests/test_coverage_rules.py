"""One test per row of coverage-rules.md, for both coverage levels where the row has two."""
from datetime import date
from decimal import Decimal as D

import pytest

from coverage.claim import parse_claim
from coverage.evaluator import evaluate
from coverage.insured import parse_insured

TODAY = date(2026, 6, 1)
Y = "2026-01-01"  # the insurance-year period key for the default insured


def person(level="plus", region="A", **kw):
    data = {"insured_id": "T-1", "product": "oom_international", "coverage": level, "region": region,
            "deductible_eur": "0", "insurance_year_start": "2026-01-01", "policy_start": "2024-01-01",
            "policy_end": None, "date_of_birth": "1990-05-17", "sex": "female",
            "country_of_origin": "IN", "nationality": "IN", "dutch_basic_insurance_duty": False}
    data.update(kw)
    return parse_insured(data)


def vv(**kw):
    data = {"insured_id": "V-1", "product": "voorlopig_verblijf_nl", "deductible_eur": "0",
            "policy_start": "2026-02-01", "policy_end": "2027-01-31", "date_of_birth": "1995-01-01",
            "country_of_origin": "BR", "nationality": "BR"}
    data.update(kw)
    return parse_insured(data)


def auth(ttype, country=None):
    return {"reference": "R-1", "treatment_type": ttype, "country": country,
            "valid_from": "2026-01-01", "valid_to": "2026-12-31"}


def run(p, ttype, amount="100.00", country="DE", setting="outpatient", lines=(), facts=None,
        usage=None, day="2026-05-04", today=TODAY):
    fields = {"invoice_date": day, "country": country, "currency": "EUR", "total_amount": amount,
              "treatment_type": ttype, "setting": setting,
              "line_items": [{"description": d, "amount": a, "treatment_type": t or ttype} for d, a, t in
                             [(x + (None,)) if len(x) == 2 else x for x in lines]]}
    claim = parse_claim(fields, facts or {})
    return evaluate(p, claim, D(amount), usage or {}, today=today)


def paid(ev):
    return ev.reimbursed


def codes(ev):
    return [r.code for r in ev.reasons]


LEVELS = ["plus", "top"]

# --- art. 8 rows at cost price ----------------------------------------------------------------

COST_PRICE = [
    ("general_practice", (), {}),
    ("medication", (("Amoxicillin 500mg", "100.00"),), {"prescription": True}),
    ("specialist", (), {}),
    ("laboratory", (), {}),
    ("hospital_admission", (), {}),
    ("rehabilitation", (), {}),
    ("reproductive_health", (("Abortion, hospital", "100.00"),), {}),
    ("vaccination", (("Rabies immunoglobulin after dog bite", "100.00"),), {}),
]


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("ttype,lines,facts", COST_PRICE)
def test_cost_price_rows(level, ttype, lines, facts):
    ev = run(person(level), ttype, "1234.56", lines=lines, facts=facts)
    assert ev.decision == "covered" and paid(ev) == D("1234.56")
    assert any(r.article.startswith("OOM International art. 8") for r in ev.reasons)


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("ttype", ["transplant", "dialysis", "plastic_surgery"])
def test_prior_approval_rows(level, ttype):
    assert paid(run(person(level, prior_authorisations=[auth(ttype)]), ttype, "5000.00")) == D("5000.00")
    ev = run(person(level), ttype, "5000.00")
    assert ev.decision == "not_covered" and "insurer_approval_missing" in codes(ev)


@pytest.mark.parametrize("level", LEVELS)
def test_medication_prescription_only(level):
    assert run(person(level), "medication", lines=(("Paracetamol", "100.00"),)).decision == "pending_information"
    ev = run(person(level), "medication", lines=(("Paracetamol", "100.00"),), facts={"prescription": False})
    assert ev.decision == "not_covered"
    assert paid(run(person(level), "medication", lines=(("Rx Amoxicillin", "100.00"),))) == D("100.00")


# --- patient transport --------------------------------------------------------------------------

@pytest.mark.parametrize("level", LEVELS)
def test_patient_transport(level):
    p = person(level)
    assert paid(run(p, "patient_transport", "480.00", lines=(("Ambulance transport", "480.00"),))) == D("480.00")
    assert paid(run(p, "patient_transport", "35.00", lines=(("Taxi to hospital", "35.00"),))) == D("35.00")
    assert paid(run(p, "patient_transport", "50.00", facts={"transport": "own_car", "km": 100})) == D("20.00")
    assert paid(run(p, "patient_transport", "12.00", facts={"transport": "public_transport"})) == D("12.00")
    ev = run(p, "patient_transport", "50.00", lines=(("Transport", "50.00"),))
    assert ev.decision == "pending_information" and "transport_mode_unknown" in codes(ev)


# --- accommodation ------------------------------------------------------------------------------

@pytest.mark.parametrize("level", LEVELS)
def test_accommodation_100_per_day_2000_per_illness(level):
    p = person(level)
    facts = {"days": 5, "event_ref": "illness-1"}
    assert paid(run(p, "accommodation", "600.00", facts=facts)) == D("500.00")
    ev = run(p, "accommodation", "600.00", facts=facts)
    key = next(k for k in ev.entries if k[0] == "accommodation")
    assert paid(run(p, "accommodation", "600.00", facts=facts, usage={key: (0, D("1800"))})) == D("200.00")
    assert "days_unknown" in codes(run(p, "accommodation", "600.00", facts={"event_ref": "x"}))
    assert "event_ref_unknown" in codes(run(p, "accommodation", "600.00", facts={"days": 2}))


# --- vaccinations -------------------------------------------------------------------------------

@pytest.mark.parametrize("level,cap", [("plus", "100.00"), ("top", "150.00")])
def test_travel_vaccination_per_two_years(level, cap):
    p = person(level)
    line = (("Yellow fever vaccine", "200.00"),)
    ev = run(p, "vaccination", "200.00", lines=line)
    assert paid(ev) == D(cap)
    (key,) = [k for k in ev.entries if k[0] == "travel_vaccination"]
    # the next insurance year is in the same 2-year block (blocks start 2024, 2026, ...)
    ev2 = run(p, "vaccination", "200.00", lines=line, day="2027-03-01", today=date(2027, 4, 1),
              usage={key: (0, D(cap))})
    assert paid(ev2) == 0 and "travel_vaccination_cap_reached" in codes(ev2)
    ev3 = run(p, "vaccination", "200.00", lines=line, day="2028-03-01", today=date(2028, 4, 1),
              usage={key: (0, D(cap))})
    assert paid(ev3) == D(cap)


@pytest.mark.parametrize("level", LEVELS)
def test_vaccination_kind_unknown_asks(level):
    ev = run(person(level), "vaccination", lines=(("Vaccine", "100.00"),))
    assert ev.decision == "pending_information" and "vaccination_kind_unknown" in codes(ev)
    assert paid(run(person(level), "vaccination", lines=(("Influenza vaccine", "100.00"),))) == D("100.00")


# --- counted treatments -------------------------------------------------------------------------

@pytest.mark.parametrize("ttype,cat", [("physiotherapy", "physiotherapy_group"), ("speech_therapy", "speech_therapy")])
def test_25_treatments_plus_unlimited_top(ttype, cat):
    used = {(cat, Y): (24, D("0"))}
    ev = run(person("plus"), ttype, "100.00", lines=(("Behandlung 2x", "100.00"),), usage=used)
    assert paid(ev) == D("50.00") and ev.decision == "partially_covered"
    assert ev.entries[(cat, Y)][0] == 1
    assert paid(run(person("plus"), ttype, "100.00", facts={"sessions": 2}, usage={(cat, Y): (25, D(0))})) == 0
    assert paid(run(person("top"), ttype, "100.00", usage={(cat, Y): (400, D(0))})) == D("100.00")
    ev = run(person("plus"), ttype, "100.00")
    assert ev.decision == "pending_information" and "sessions_unknown" in codes(ev)


def test_physiotherapy_group_counts_together():
    p = person("plus")
    ev = run(p, "physiotherapy", "200.00", lines=(("Chiropractic 4 sessions", "200.00"),),
             usage={("physiotherapy_group", Y): (21, D(0))})
    assert paid(ev) == D("200.00") and ev.entries[("physiotherapy_group", Y)][0] == 4


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("ttype,cat,hours", [("occupational_therapy", "occupational_therapy_hours", 10),
                                             ("dietetics", "dietetics_hours", 4)])
def test_hours_per_year(level, ttype, cat, hours):
    used = {(cat, Y): ((hours - 1) * 60, D(0))}
    ev = run(person(level), ttype, "200.00", facts={"hours": 2}, usage=used)
    assert paid(ev) == D("100.00")
    assert paid(run(person(level), ttype, "200.00", facts={"hours": "1.5"})) == D("200.00")


# --- dental -------------------------------------------------------------------------------------

@pytest.mark.parametrize("level", LEVELS)
def test_dental_under_18(level):
    p = person(level, date_of_birth="2010-01-01")
    assert paid(run(p, "dental", "500.00", lines=(("Filling", "500.00"),))) == D("350.00")


@pytest.mark.parametrize("level", LEVELS)
def test_dental_special_from_18(level):
    p = person(level)
    assert paid(run(p, "dental", "500.00", facts={"dental_special": True})) == D("350.00")


@pytest.mark.parametrize("level,cap", [("plus", "475.00"), ("top", "600.00")])
def test_dental_after_accident(level, cap):
    p = person(level)
    assert paid(run(p, "dental", "900.00", facts={"accident": True})) == D(cap)
    ev = run(p, "dental", "900.00", lines=(("Crown", "900.00"),))
    assert ev.decision == "pending_information" and "accident_unknown" in codes(ev)
    ev = run(p, "dental", "900.00", facts={"accident": False, "dental_special": False})
    assert ev.decision == "not_covered"


@pytest.mark.parametrize("level,cap", [("plus", "1200.00"), ("top", "1800.00")])
def test_orthodontics_under_21_lifetime(level, cap):
    p = person(level, date_of_birth="2012-01-01")
    line = (("Orthodontic braces", "2500.00"),)
    assert paid(run(p, "dental", "2500.00", lines=line)) == D(cap)
    used = {("orthodontics_under_21", "lifetime"): (0, D(cap) - 100)}
    assert paid(run(p, "dental", "2500.00", lines=line, usage=used)) == D("100.00")


def test_orthodontics_from_21():
    line = (("Orthodontic aligners", "3000.00"),)
    assert run(person("plus"), "dental", "3000.00", lines=line).decision == "not_covered"
    assert paid(run(person("top"), "dental", "3000.00", lines=line)) == D("1000.00")
    assert paid(run(person("top"), "dental", "1000.00", lines=(("Orthodontic aligners", "1000.00"),))) == D("500.00")


def test_dental_module_no_deductible_worldwide():
    p = person("plus", region="C", modules=["dental_500"], deductible_eur="250")
    ev = run(p, "dental", "300.00", country="US", lines=(("Root canal", "300.00"),))
    assert paid(ev) == D("300.00") and ev.deductible_applied == 0


# --- maternity, fertility, reproductive health ----------------------------------------------------

@pytest.mark.parametrize("level,cap", [("plus", "1500.00"), ("top", "2250.00")])
def test_home_maternity_care(level, cap):
    ev = run(person(level), "maternity", "3000.00", lines=(("Kraamzorg 8 dagen", "3000.00"),),
             facts={"event_ref": "birth-2026"})
    assert paid(ev) == D(cap)


@pytest.mark.parametrize("level", LEVELS)
def test_delivery_in_hospital_not_approved_75pct(level):
    line = (("Delivery, 2 nights", "4000.00"),)
    assert paid(run(person(level), "maternity", "4000.00", setting="inpatient", lines=line)) == D("3000.00")
    p = person(level, prior_authorisations=[auth("maternity")])
    assert paid(run(p, "maternity", "4000.00", setting="inpatient", lines=line)) == D("4000.00")


@pytest.mark.parametrize("level", LEVELS)
def test_ivf_three_treatments_3000_each(level):
    p = person(level, prior_authorisations=[auth("fertility")])
    line = (("IVF cycle", "8000.00"),)
    ok = {"primary_childlessness": True, "first_child": True}
    assert paid(run(p, "fertility", "8000.00", lines=line, facts={"sessions": 2, **ok})) == D("6000.00")
    used = {("ivf_icsi", "lifetime"): (3, D("9000"))}
    assert paid(run(p, "fertility", "8000.00", lines=line, facts={"sessions": 1, **ok}, usage=used)) == 0
    assert run(person(level), "fertility", "8000.00", lines=line, facts={"sessions": 1, **ok}).decision == "not_covered"


@pytest.mark.parametrize("level", LEVELS)
def test_male_sterilisation_450(level):
    assert paid(run(person(level), "reproductive_health", "900.00", lines=(("Vasectomy", "900.00"),))) == D("450.00")
    assert paid(run(person(level), "reproductive_health", "900.00", lines=(("IUD insertion", "900.00"),))) == D("900.00")


@pytest.mark.parametrize("level,cap", [("plus", "800.00"), ("top", "1500.00")])
def test_psychotherapy_per_year(level, cap):
    assert paid(run(person(level), "mental_health", "2000.00")) == D(cap)
    assert paid(run(person(level), "mental_health", "2000.00", setting="inpatient")) == D("2000.00")


def test_full_body_scan():
    line = (("Full body scan", "2000.00"),)
    assert run(person("plus"), "preventive_care", "2000.00", lines=line).decision == "not_covered"
    ev = run(person("top"), "preventive_care", "2000.00", lines=line)
    assert paid(ev) == D("800.00")
    assert paid(run(person("top"), "preventive_care", "800.00", lines=(("Full body scan", "800.00"),))) == D("600.00")
    (key,) = [k for k in ev.entries if k[0] == "full_body_scan"]
    assert key[1].startswith("5y")
    assert paid(run(person("top"), "preventive_care", "800.00", lines=line, usage={key: (1, D("600"))})) == 0


# --- medical aids, optical, alternative, dermatology, foot care ---------------------------------

@pytest.mark.parametrize("level", LEVELS)
def test_medical_aids_after_accident(level):
    p = person(level)
    f = {"accident": True, "event_ref": "fall-2026-04"}
    assert paid(run(p, "medical_aids", "300.00", lines=(("Crutches rental", "300.00"),), facts=f)) == D("100.00")
    assert paid(run(p, "medical_aids", "1000.00", lines=(("Knee orthosis", "1000.00"),), facts=f)) == D("750.00")
    ev = run(p, "medical_aids", "300.00", lines=(("Wheelchair", "300.00"),), facts={"event_ref": "x"})
    assert ev.decision == "pending_information" and "accident_unknown" in codes(ev)
    ev = run(p, "medical_aids", "300.00", lines=(("Wheelchair", "300.00"),), facts={"accident": False})
    assert ev.decision == "not_covered"


def test_optical():
    assert run(person("plus"), "optical", "500.00").decision == "not_covered"
    assert paid(run(person("top"), "optical", "500.00")) == D("350.00")


@pytest.mark.parametrize("level,per,year", [("plus", "30", "250"), ("top", "65", "1000")])
def test_alternative_medicine(level, per, year):
    p = person(level)
    assert paid(run(p, "alternative_medicine", "100.00", facts={"sessions": 1})) == D(per)
    used = {("alternative_medicine", Y): (0, D(year) - 10)}
    assert paid(run(p, "alternative_medicine", "100.00", facts={"sessions": 2}, usage=used)) == D("10.00")


def test_acne_under_21():
    young = {"date_of_birth": "2008-01-01", "prior_authorisations": [auth("dermatology")]}
    line = (("Acne laser treatment", "900.00"),)
    assert paid(run(person("plus", **young), "dermatology", "900.00", lines=line)) == D("500.00")
    assert paid(run(person("top", **young), "dermatology", "900.00", lines=line)) == D("900.00")


def test_foot_care():
    ped = (("Pedicure", "300.00"),)
    assert paid(run(person("plus"), "foot_care", "300.00", lines=ped, facts={"diabetes_or_ra": True})) == D("100.00")
    assert paid(run(person("top"), "foot_care", "300.00", lines=ped, facts={"diabetes_or_ra": True})) == D("300.00")
    assert run(person("top"), "foot_care", "300.00", lines=ped).decision == "pending_information"
    pod = (("Podotherapy insoles", "400.00"),)
    assert paid(run(person("plus"), "foot_care", "400.00", lines=pod)) == D("250.00")
    assert paid(run(person("top"), "foot_care", "400.00", lines=pod)) == D("400.00")


@pytest.mark.parametrize("level", LEVELS)
def test_repatriation_sos(level):
    p = person(level, region="C", deductible_eur="500")
    f = {"event_ref": "case-1", "official_request": True}
    ev = run(p, "repatriation", "30000.00", country="US", lines=(("Search and rescue helicopter", "30000.00"),), facts=f)
    assert paid(ev) == D("25000.00") and ev.deductible_applied == 0
    assert paid(run(p, "repatriation", "30000.00", lines=(("Transport of remains, coffin", "30000.00"),), facts=f)) == D("25000.00")
    assert paid(run(p, "repatriation", "3000.00", lines=(("Hotel 25 nights", "3000.00"),), facts=f)) == D("2000.00")
    ev = run(p, "repatriation", "9000.00", lines=(("Air ambulance", "9000.00"),), facts=f)
    assert ev.decision == "not_covered" and "insurer_approval_missing" in codes(ev)
    p2 = person(level, prior_authorisations=[auth("repatriation")], deductible_eur="500")
    ev = run(p2, "repatriation", "9000.00", lines=(("Air ambulance", "9000.00"),), facts=f)
    assert paid(ev) == D("9000.00") and ev.deductible_applied == 0


def test_other_treatment_asks():
    ev = run(person(), "other", "100.00")
    assert ev.decision == "pending_information" and "treatment_type_unknown" in codes(ev)


# --- both products: period, deadline, deductible, exclusions ----------------------------------------

@pytest.mark.parametrize("level", LEVELS)
def test_policy_period(level):
    p = person(level, policy_start="2026-02-01", policy_end="2026-10-31")
    assert run(p, "general_practice", day="2026-01-31").decision == "not_covered"
    assert run(p, "general_practice", day="2026-10-31").decision == "covered"
    ev = run(p, "general_practice", day="2026-11-01", today=date(2026, 12, 1))
    assert ev.decision == "not_covered" and "outside_policy_period" in codes(ev)
    assert ev.reasons[0].article.startswith("OOM International algemene voorwaarden art. 2")


def test_vv_end_date_itself_not_covered():
    assert run(vv(), "general_practice", country="NL", day="2027-01-31", today=date(2027, 2, 2)).decision == "not_covered"
    assert run(vv(), "general_practice", country="NL", day="2027-01-30", today=date(2027, 2, 2)).decision == "covered"


@pytest.mark.parametrize("p", [person("plus"), person("top"), vv()], ids=["plus", "top", "vv"])
def test_claim_deadline_three_years(p):
    day = "2026-05-04"
    assert run(p, "general_practice", country="NL", day=day, today=date(2029, 5, 4)).decision == "covered"
    ev = run(p, "general_practice", country="NL", day=day, today=date(2029, 5, 5))
    assert ev.decision == "not_covered" and "claim_deadline_passed" in codes(ev)
    assert "art. 10" in ev.reasons[0].article


@pytest.mark.parametrize("level", LEVELS)
def test_deductible_per_insurance_year(level):
    p = person(level, deductible_eur="250")
    ev = run(p, "general_practice", "100.00")
    assert (paid(ev), ev.deductible_applied, ev.decision) == (0, D("100.00"), "covered")
    used = {("deductible", Y): (0, D("100.00"))}
    ev = run(p, "general_practice", "300.00", usage=used)
    assert (paid(ev), ev.deductible_applied) == (D("150.00"), D("150.00"))
    ev = run(p, "general_practice", "300.00", usage={("deductible", Y): (0, D("250"))})
    assert ev.deductible_applied == 0
    ev = run(p, "general_practice", "300.00", day="2027-01-05", today=date(2027, 2, 1),
             usage={("deductible", Y): (0, D("250"))})
    assert ev.deductible_applied == D("250.00")


def test_deductible_once_for_stay_across_years():
    p = person("plus", deductible_eur="250")
    used = {("deductible", Y): (0, D("250"))}
    ev = run(p, "hospital_admission", "5000.00", setting="inpatient", day="2027-01-10", today=date(2027, 2, 1),
             facts={"admission_date": "2026-12-20"}, usage=used)
    assert ev.deductible_applied == 0 and paid(ev) == D("5000.00")


def test_vv_deductible_per_insured_period():
    p = vv(deductible_eur="100")
    ev = run(p, "general_practice", "80.00", country="NL", day="2026-03-01")
    (key,) = [k for k in ev.entries if k[0] == "deductible"]
    assert key[1] == "p2026-02-01"
    ev = run(p, "general_practice", "80.00", country="NL", day="2027-01-10", today=date(2027, 1, 20),
             usage={key: (0, D("80"))})
    assert ev.deductible_applied == D("20.00")


EXCLUSIONS = [
    ("medication", "Ibuprofen over the counter", "excluded_otc_medication"),
    ("medication", "Vitamin D3 supplement", "excluded_vitamins_supplements"),
    ("medication", "Malarone malaria prophylaxis", "excluded_malaria_prophylaxis"),
    ("dental", "Full denture upper jaw", "excluded_dentures"),
    ("maternity", "Surrogacy programme fee", "excluded_surrogacy"),
    ("plastic_surgery", "Gender reassignment surgery", "excluded_gender_surgery"),
    ("general_practice", "Medical certificate for driving licence", "excluded_medical_certificate"),
    ("hospital_admission", "Addiction clinic stay 14 days", "excluded_addiction_clinic"),
    ("general_practice", "Thuiszorg (Wmo)", "excluded_wlz_wmo"),
]


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("ttype,desc,code", EXCLUSIONS)
def test_exclusions_art_13(level, ttype, desc, code):
    ev = run(person(level), ttype, "100.00", lines=((desc, "100.00"),), facts={"prescription": True})
    assert ev.decision == "not_covered" and code in codes(ev)
    assert any(r.article == "OOM International art. 13" for r in ev.reasons)


def test_exclusion_of_one_line_leaves_the_rest():
    ev = run(person(), "medication", "100.00", lines=(("Rx Amoxicillin", "60.00"), ("Vitamin C", "40.00")))
    assert ev.decision == "partially_covered" and paid(ev) == D("60.00")


# --- OOM International regions, US rule, Dutch basic insurance, maximum ------------------------------

@pytest.mark.parametrize("region", ["B+", "B", "C+", "C"])
def test_us_not_covered_outside_region_a(region):
    ev = run(person("top", region=region), "general_practice", country="US", facts={"acute": True})
    assert ev.decision == "not_covered" and "us_not_covered" in codes(ev)


def test_us_covered_on_region_a():
    ev = run(person("plus", region="A"), "general_practice", country="US", facts={"acute": True})
    assert ev.decision == "covered" and "us_not_covered" not in codes(ev)


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("region,country,factor", [
    ("B+", "SG", "1"), ("B", "SG", "0.5"), ("B", "TH", "1"), ("C+", "CN", "0.5"), ("C+", "TH", "1"),
    ("C", "TH", "0.5"), ("C", "AE", "0.5"), ("C", "MX", "0.5"), ("C", "DE", "1"), ("A", "SG", "1"),
])
def test_out_of_region_50pct(level, region, country, factor):
    ev = run(person(level, region=region), "general_practice", "200.00", country=country)
    assert paid(ev) == D("200.00") * D(factor)
    assert ("out_of_region_50pct" in codes(ev)) == (factor == "0.5")


def test_out_of_region_applies_after_limits():
    ev = run(person("plus", region="C"), "mental_health", "2000.00", country="TH")
    assert paid(ev) == D("400.00")  # 50% of the EUR 800 psychotherapy limit


def test_netherlands_dutch_basic_insurance_duty():
    p = person("plus", dutch_basic_insurance_duty=None)
    ev = run(p, "general_practice", country="NL")
    assert ev.decision == "pending_information" and "dutch_basic_insurance_duty" in codes(ev)
    assert run(p, "general_practice", country="NL", facts={"dutch_basic_insurance_duty": True}).decision == "not_covered"
    assert run(p, "general_practice", country="NL", facts={"dutch_basic_insurance_duty": False}).decision == "covered"


@pytest.mark.parametrize("level,maximum", [("plus", "2500000"), ("top", "3500000")])
def test_annual_maximum(level, maximum):
    used = {("annual_maximum", Y): (0, D(maximum) - 100)}
    ev = run(person(level), "hospital_admission", "1000.00", usage=used)
    assert paid(ev) == D("100.00") and "annual_maximum_reached" in codes(ev)


# --- prior authorisation (art. 3) ---------------------------------------------------------------------

@pytest.mark.parametrize("country,setting,required", [
    ("US", "inpatient", True), ("US", "daycare", True), ("US", "outpatient", True),
    *[(c, s, True) for c in ("SG", "MY", "ID", "CN", "HK", "TH", "MX", "AE") for s in ("inpatient", "daycare")],
    *[(c, "outpatient", False) for c in ("SG", "TH", "AE")],
    ("DE", "inpatient", False), ("FR", "daycare", False),
])
@pytest.mark.parametrize("level", LEVELS)
def test_prior_authorisation_matrix(level, country, setting, required):
    p = person(level, region="A")
    ev = run(p, "specialist", "500.00", country=country, setting=setting)
    if not required:
        assert ev.decision == "covered"
        return
    assert ev.decision == "pending_information" and "prior_authorisation_unknown_acute" in codes(ev)
    assert run(p, "specialist", "500.00", country=country, setting=setting, facts={"planned": True}).decision == "not_covered"
    assert run(p, "specialist", "500.00", country=country, setting=setting, facts={"acute": True}).decision == "covered"
    p2 = person(level, region="A", prior_authorisations=[auth("specialist", country)])
    assert run(p2, "specialist", "500.00", country=country, setting=setting).decision == "covered"


def test_prior_authorisation_out_of_validity():
    p = person("plus", region="A", prior_authorisations=[{**auth("specialist", "TH"), "valid_to": "2026-03-31"}])
    assert run(p, "specialist", country="TH", setting="inpatient").decision == "pending_information"


# --- Voorlopig Verblijf ------------------------------------------------------------------------------

def test_vv_area_and_country_of_origin():
    assert run(vv(), "general_practice", country="FR").decision == "covered"
    assert run(vv(), "general_practice", country="US").decision == "not_covered"
    assert run(vv(), "general_practice", country="AW").decision == "not_covered"
    de = vv(country_of_origin="DE", nationality="DE")
    ev = run(de, "general_practice", country="DE")
    assert ev.decision == "not_covered" and "country_of_origin" in codes(ev)
    assert run(vv(country_of_origin="DE", nationality="NL"), "general_practice", country="DE").decision == "covered"


def test_vv_30_days_outside_netherlands():
    key = ("days_abroad", "p2026-02-01")
    assert run(vv(), "general_practice", country="BE", usage={key: (29, D(0))}).decision == "covered"
    ev = run(vv(), "general_practice", country="BE", usage={key: (30, D(0))})
    assert ev.decision == "not_covered" and "outside_home_days_exceeded" in codes(ev)
    assert run(vv(), "general_practice", country="NL", usage={key: (30, D(0))}).decision == "covered"


def test_vv_unknown_days_abroad_is_asked_not_assumed():
    ev = run(vv(), "general_practice", country="BE")
    asked = [r for r in ev.reasons if r.code == "days_abroad_unknown"]
    assert asked and asked[0].needs_review and "facts.days_abroad" in asked[0].message
    given = run(vv(), "general_practice", country="BE", facts={"days_abroad": 3})
    assert "days_abroad_unknown" not in codes(given)
    assert "days_abroad_unknown" not in codes(run(vv(), "general_practice", country="NL"))


def test_vv_abroad_tariff_flagged_and_maximum():
    ev = run(vv(), "specialist", "100.00", country="BE")
    assert any(r.code == "tariff_cap_abroad" and r.needs_review for r in ev.reasons)
    used = {("annual_maximum", "p2026-02-01"): (0, D("499950"))}
    assert paid(run(vv(), "hospital_admission", "100.00", country="NL", usage=used)) == D("50.00")


@pytest.mark.parametrize("ttype,cat,limit", [("physiotherapy", "physiotherapy_group", 9),
                                             ("speech_therapy", "speech_therapy", 12)])
def test_vv_counted_treatments(ttype, cat, limit):
    used = {(cat, "p2026-02-01"): (limit - 1, D(0))}
    assert paid(run(vv(), ttype, "90.00", country="NL", facts={"sessions": 3}, usage=used)) == D("30.00")


def test_vv_dental_accident_350():
    assert paid(run(vv(), "dental", "900.00", country="NL", facts={"accident": True})) == D("350.00")
    assert run(vv(), "dental", "900.00", country="NL", facts={"accident": False}).decision == "not_covered"


def test_vv_psychotherapy_5_sessions_500_with_approval():
    p = vv(prior_authorisations=[auth("mental_health")])
    assert paid(run(p, "mental_health", "1000.00", country="NL", facts={"sessions": 10})) == D("500.00")
    assert paid(run(p, "mental_health", "300.00", country="NL", facts={"sessions": 3},
                    usage={("psychotherapy", "p2026-02-01"): (4, D("100"))})) == D("100.00")
    assert run(vv(), "mental_health", "300.00", country="NL", facts={"sessions": 3}).decision == "not_covered"


@pytest.mark.parametrize("ttype", ["transplant", "plastic_surgery"])
def test_vv_transplant_plastic_only_after_accident_with_approval(ttype):
    p = vv(prior_authorisations=[auth(ttype)])
    assert run(p, ttype, country="NL", facts={"accident": True}).decision == "covered"
    assert run(p, ttype, country="NL", facts={"accident": False}).decision == "not_covered"
    assert run(p, ttype, country="NL").decision == "pending_information"
    assert run(vv(), ttype, country="NL", facts={"accident": True}).decision == "not_covered"


def test_vv_dialysis_needs_approval():
    assert run(vv(), "dialysis", country="NL").decision == "not_covered"
    assert run(vv(prior_authorisations=[auth("dialysis")]), "dialysis", country="NL").decision == "covered"


def test_vv_accommodation_and_aids():
    f = {"days": 30, "event_ref": "e", "accident": True}
    assert paid(run(vv(), "accommodation", "4000.00", country="NL", facts=f)) == D("2000.00")
    assert paid(run(vv(), "medical_aids", "300.00", country="NL", lines=(("Crutches", "300.00"),), facts=f)) == D("100.00")
    assert paid(run(vv(), "medical_aids", "900.00", country="NL", lines=(("Prosthesis", "900.00"),), facts=f)) == D("750.00")


def test_vv_sos_limits():
    f = {"event_ref": "e", "official_request": True}
    assert paid(run(vv(), "repatriation", "20000.00", country="NL", lines=(("Search and rescue", "20000.00"),), facts=f)) == D("10000.00")
    assert paid(run(vv(), "repatriation", "20000.00", country="NL", lines=(("Transport of remains", "20000.00"),), facts=f)) == D("10000.00")
    p = vv(prior_authorisations=[auth("repatriation")])
    assert paid(run(p, "repatriation", "40000.00", country="NL", lines=(("Repatriation flight", "40000.00"),), facts=f)) == D("30000.00")


@pytest.mark.parametrize("ttype", ["optical", "fertility", "preventive_care", "alternative_medicine",
                                   "occupational_therapy", "dietetics"])
def test_vv_not_covered_types(ttype):
    assert run(vv(), ttype, country="NL", facts={"sessions": 1}).decision == "not_covered"


def test_vv_pregnancy_only_complication_before_32_weeks():
    assert run(vv(), "maternity", country="NL").decision == "pending_information"
    assert run(vv(), "maternity", country="NL", facts={"pregnancy_complication_before_32w": True}).decision == "covered"
    assert run(vv(), "maternity", country="NL", facts={"pregnancy_complication_before_32w": False}).decision == "not_covered"


def test_premium_arrears_flagged_not_rejected():
    ev = run(vv(premium_arrears=True), "general_practice", country="NL")
    assert ev.decision == "covered" and any(r.code == "premium_arrears" and r.needs_review for r in ev.reasons)


def test_mixed_line_types_are_evaluated_per_type():
    lines = (("Physio 2x", "100.00", "physiotherapy"), ("GP consult", "50.00", "general_practice"))
    ev = run(person("plus"), "physiotherapy", "150.00", lines=lines,
             usage={("physiotherapy_group", Y): (25, D(0))})
    assert paid(ev) == D("50.00") and ev.decision == "partially_covered"


@pytest.mark.parametrize("desc,sessions", [("Kinésithérapie 3 séances", 3), ("Physiotherapy x 4", 4),
                                           ("KG 6x", 6), ("Fysiotherapie 2 behandelingen", 2)])
def test_sessions_read_from_descriptions(desc, sessions):
    used = {("physiotherapy_group", Y): (25 - 1, D(0))}
    ev = run(person("plus"), "physiotherapy", "100.00", lines=((desc, "100.00"),), usage=used)
    assert paid(ev) == (D("100.00") / sessions).quantize(D("0.01"))


def test_zero_sessions_is_asked_again():
    ev = run(person("plus"), "physiotherapy", "100.00", facts={"sessions": 0})
    assert ev.decision == "pending_information" and "sessions_unknown" in codes(ev)
