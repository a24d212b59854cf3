"""Witness tests for rules that test_coverage_rules.py does not pin down (used by test_coverage_ablation.py).

Expected amounts come from the policy texts in ../shared/seeds: OOM International (art. 2, 3, 8, 10)
and OOM Voorlopig Verblijf (art. 16, 19, 20).
"""
from datetime import date
from decimal import Decimal as D

import pytest

from coverage.claim import parse_claim
from coverage.evaluator import evaluate
from coverage.insured import parse_insured

TODAY = date(2026, 6, 1)
Y = "2026-01-01"      # insurance year of the OOM person below
P = "p2026-02-01"     # insured period of the VV person below
LEVELS = ["plus", "top"]


def oom(level="plus", **kw):
    data = {"insured_id": "W-1", "product": "oom_international", "coverage": level, "region": "A",
            "deductible_eur": "0", "insurance_year_start": "2026-01-01", "policy_start": "2024-01-01",
            "date_of_birth": "1990-05-17", "sex": "female", "country_of_origin": "IN", "nationality": "IN",
            "dutch_basic_insurance_duty": False}
    return parse_insured({**data, **kw})


def vv(**kw):
    data = {"insured_id": "W-2", "product": "voorlopig_verblijf_nl", "deductible_eur": "0",
            "policy_start": "2026-02-01", "policy_end": "2027-01-31", "date_of_birth": "1995-01-01",
            "country_of_origin": "BR", "nationality": "BR"}
    return parse_insured({**data, **kw})


def auth(ttype, country=None):
    return {"reference": "W-A", "treatment_type": ttype, "country": country,
            "valid_from": "2026-01-01", "valid_to": "2026-12-31"}


def run(person, ttype, amount="100.00", desc=None, country="DE", setting="outpatient", facts=None,
        usage=None, day="2026-05-04", today=TODAY, lines=None):
    lines = [{"description": d, "amount": a, "treatment_type": ttype} for d, a in lines] if lines else \
        [{"description": desc, "amount": amount, "treatment_type": ttype}] if desc else []
    fields = {"invoice_date": day, "country": country, "currency": "EUR", "total_amount": amount,
              "treatment_type": ttype, "setting": setting, "line_items": lines}
    return evaluate(person, parse_claim(fields, facts or {}), D(amount), usage or {}, today=today)


def codes(ev):
    return [r.code for r in ev.reasons]


# --- OOM International art. 8 / art. 10 ------------------------------------------------------------

@pytest.mark.parametrize("level", LEVELS)
def test_oom_dental_module(level):
    # art. 10: up to the insured amount, worldwide, no deductible
    p = oom(level, modules=["dental_500"], deductible_eur="250", region="C")
    ev = run(p, "dental", "300.00", "Root canal treatment", country="US")
    assert (ev.reimbursed, ev.deductible_applied) == (D("300.00"), 0)
    ev = run(p, "dental", "300.00", "Root canal treatment", usage={("dental_module", Y): (0, D("400"))})
    assert ev.reimbursed == D("100.00")


@pytest.mark.parametrize("level", LEVELS)
def test_oom_pregnancy_care_cost_price(level):
    # art. 8 Zwangerschap: obstetric care by a midwife and prescribed tests, at cost price
    ev = run(oom(level), "maternity", "250.00", "Prenatal check-up by midwife")
    assert ev.decision == "covered" and ev.reimbursed == D("250.00")


@pytest.mark.parametrize("level", LEVELS)
def test_oom_fertility_other_needs_approval(level):
    # art. 8 Vruchtbaarheidsbevordering: KID/KIE/OI at cost price, with OOM's written approval
    p = oom(level, prior_authorisations=[auth("fertility")])
    facts = {"primary_childlessness": True, "first_child": True}
    assert run(p, "fertility", "1200.00", "Ovulation induction", facts=facts).reimbursed == D("1200.00")
    ev = run(oom(level), "fertility", "1200.00", "Ovulation induction", facts=facts)
    assert ev.decision == "not_covered"


@pytest.mark.parametrize("level,paid", [("plus", "150.00"), ("top", "200.00")])
def test_oom_insoles(level, paid):
    # art. 8 Overige hulpmiddelen: insoles Plus max EUR 150 per year, Top cost price
    assert run(oom(level), "medical_aids", "200.00", "Insoles by shoe technician").reimbursed == D(paid)


@pytest.mark.parametrize("level", LEVELS)
def test_oom_other_medical_aid_asks(level):
    # art. 8 Hulpmiddelen: other aids fall under the Reglement Hulpmiddelen: a reviewer decides
    ev = run(oom(level), "medical_aids", "200.00", "Bed-wetting alarm")
    assert ev.decision == "pending_information" and ev.reimbursed == 0


@pytest.mark.parametrize("level,paid", [("plus", "500.00"), ("top", "800.00")])
def test_oom_psoriasis_daycare(level, paid):
    # art. 8 Psoriasis dagbehandeling: Plus max EUR 500 per year, Top cost price
    assert run(oom(level), "dermatology", "800.00", "Psoriasis day treatment centre").reimbursed == D(paid)


@pytest.mark.parametrize("level,paid", [("plus", "0"), ("top", "500.00")])
def test_oom_spa(level, paid):
    # art. 8 Kuuroord: Plus no cover, Top max EUR 500 per year
    ev = run(oom(level), "dermatology", "900.00", "Kuuroord treatment for rheumatoid arthritis")
    assert ev.reimbursed == D(paid)


@pytest.mark.parametrize("level,paid", [("plus", "350.00"), ("top", "1500.00")])
def test_oom_epilation(level, paid):
    # art. 8 Dermatologie: epilation Plus EUR 350, Top EUR 1,500 for the whole term; prior approval
    p = oom(level, prior_authorisations=[auth("dermatology")])
    assert run(p, "dermatology", "2000.00", "Laser epilation face").reimbursed == D(paid)
    used = {("epilation", "lifetime"): (0, D(paid) - 50)}
    assert run(p, "dermatology", "2000.00", "Laser epilation face", usage=used).reimbursed == D("50.00")
    assert run(oom(level), "dermatology", "2000.00", "Laser epilation face").decision == "not_covered"


@pytest.mark.parametrize("level,paid", [("plus", "70.00"), ("top", "120.00")])
def test_oom_camouflage(level, paid):
    # art. 8 Dermatologie: camouflage instruction Plus max EUR 70, Top max EUR 120 per year, severe skin
    # condition of face/neck
    facts = {"severe_skin_condition_face_neck": True, "sessions": 1}
    assert run(oom(level), "dermatology", "200.00", "Camouflage instruction", facts=facts).reimbursed == D(paid)


@pytest.mark.parametrize("level", LEVELS)
def test_oom_dermatology_kind_asks(level):
    ev = run(oom(level), "dermatology", "200.00", "Skin treatment")
    assert ev.decision == "pending_information" and ev.reimbursed == 0


@pytest.mark.parametrize("level", LEVELS)
def test_oom_foot_care_kind_asks(level):
    ev = run(oom(level), "foot_care", "200.00", "Foot treatment")
    assert ev.decision == "pending_information" and ev.reimbursed == 0


# art. 2: countries not insured per region; US there: no cover, the others: 50%
NOT_INSURED = {"B+": ["US"], "B": ["US", "SG"], "C+": ["US", "SG", "CN", "HK", "MY", "ID"],
               "C": ["US", "SG", "CN", "HK", "MY", "ID", "TH", "AE", "MX"]}
REGION_CELLS = [{"region": r, "country": c, "paid": "0" if c == "US" else "100.00"}
                for r, cs in NOT_INSURED.items() for c in cs] + \
    [{"region": "A", "country": c, "paid": "200.00"} for c in NOT_INSURED["C"]]


@pytest.mark.parametrize("cell", REGION_CELLS, ids=lambda c: f"{c['region']}-{c['country']}")
def test_oom_region_cells(cell):
    ev = run(oom("top", region=cell["region"]), "general_practice", "200.00", country=cell["country"],
             facts={"acute": True})
    assert ev.reimbursed == D(cell["paid"])


# --- art. 3 prior authorisation -------------------------------------------------------------------

def test_prior_authorisation_setting_unknown_asks():
    # TH: inpatient and daycare need authorisation, outpatient does not; without a setting: ask
    ev = run(oom(), "specialist", "500.00", country="TH", setting=None)
    assert ev.decision == "pending_information"
    assert run(oom(), "specialist", "500.00", country="TH", setting="outpatient").decision == "covered"


def test_prior_authorisation_for_another_country_does_not_count():
    p = oom(prior_authorisations=[auth("specialist", "TH")])
    assert run(p, "specialist", "500.00", country="US", setting="inpatient").decision == "pending_information"
    p = oom(prior_authorisations=[auth("specialist", "US")])
    assert run(p, "specialist", "500.00", country="US", setting="inpatient").decision == "covered"


# --- Voorlopig Verblijf art. 16, 19, 20 ------------------------------------------------------------

VV_COST = [  # (key, treatment_type, description, facts, setting): art. 19 rows at cost price
    ("general_practice/general_practice", "general_practice", "GP consult", {}, "outpatient"),
    ("medication/prescription_medication", "medication", "Rx Amoxicillin", {}, "outpatient"),
    ("specialist/specialist", "specialist", "Cardiology consult", {}, "outpatient"),
    ("laboratory/laboratory", "laboratory", "Blood test", {}, "outpatient"),
    ("hospital_admission/hospital_admission", "hospital_admission", "Admission 3 days", {}, "inpatient"),
    ("rehabilitation/rehabilitation", "rehabilitation", "Rehabilitation day treatment", {}, "daycare"),
    ("mental_health/psychiatric_admission", "mental_health", "Psychiatric ward", {}, "inpatient"),
    ("vaccination/exposure_vaccination", "vaccination", "Rabies vaccine after dog bite", {}, "outpatient"),
    ("patient_transport/ambulance", "patient_transport", "Ambulance transport", {}, "outpatient"),
    ("patient_transport/taxi", "patient_transport", "Taxi to hospital", {}, "outpatient"),
    ("patient_transport/public_transport", "patient_transport", "Train ticket",
     {"transport": "public_transport"}, "outpatient"),
    ("reproductive_health/abortion_complication", "reproductive_health", "Abortion",
     {"pregnancy_complication_before_32w": True}, "inpatient"),
]


@pytest.mark.parametrize("key,ttype,desc,facts,setting", VV_COST, ids=[r[0] for r in VV_COST])
def test_vv_cost_price(key, ttype, desc, facts, setting):
    ev = run(vv(), ttype, "100.00", desc, country="NL", setting=setting, facts=facts)
    assert ev.decision == "covered" and ev.reimbursed == D("100.00")


def test_vv_own_car_20_cents_per_km():
    ev = run(vv(), "patient_transport", "50.00", "Own car", country="NL", facts={"transport": "own_car", "km": 100})
    assert ev.reimbursed == D("20.00")


VV_NOT_COVERED = [  # art. 19 / 20: not covered
    ("vaccination/other_vaccination", "vaccination", "Yellow fever vaccine", {"vaccination": "travel"}),
    ("reproductive_health/reproductive_health", "reproductive_health", "Sterilisation", {}),
    ("reproductive_health/otherwise", "reproductive_health", "Abortion", {"pregnancy_complication_before_32w": False}),
    ("medication/otherwise", "medication", "Paracetamol", {"prescription": False}),
    ("dermatology/dermatology", "dermatology", "Skin treatment", {}),
    ("foot_care/foot_care", "foot_care", "Podotherapy", {}),
    ("medical_aids/otherwise", "medical_aids", "Hearing aid", {"accident": True}),
    ("dental/otherwise", "dental", "Crown", {"accident": False}),
]


@pytest.mark.parametrize("key,ttype,desc,facts", VV_NOT_COVERED, ids=[r[0] for r in VV_NOT_COVERED])
def test_vv_not_covered(key, ttype, desc, facts):
    ev = run(vv(), ttype, "100.00", desc, country="NL", facts=facts)
    assert ev.decision == "not_covered" and ev.reimbursed == 0


VV_ASKS = [  # the fact that decides it is unknown: queued for review
    ("vaccination/otherwise", "vaccination", "Vaccine"),
    ("reproductive_health/otherwise", "reproductive_health", "Abortion"),
    ("medication/otherwise", "medication", "Paracetamol"),
    ("dental/otherwise", "dental", "Crown"),
    ("patient_transport/otherwise", "patient_transport", "Transport"),
    ("other/otherwise", "other", "Something"),
]


@pytest.mark.parametrize("key,ttype,desc", VV_ASKS, ids=[r[0] for r in VV_ASKS])
def test_vv_asks(key, ttype, desc):
    ev = run(vv(), ttype, "100.00", desc, country="NL")
    assert ev.decision == "pending_information" and ev.reimbursed == 0


def test_vv_chiropractic_counts_with_physiotherapy():
    # art. 19: at most 9 treatments of physiotherapy, exercise therapy, chiropractic and manual therapy together
    ev = run(vv(), "alternative_medicine", "90.00", "Chiropractic 3 sessions", country="NL")
    assert ev.reimbursed == D("90.00")
    used = {("physiotherapy_group", P): (8, D(0))}
    ev = run(vv(), "alternative_medicine", "90.00", "Chiropractic 3 sessions", country="NL", usage=used)
    assert ev.reimbursed == D("30.00")


def test_vv_dental_module():
    # art. 19 OOM Tandarts-dekking: up to the insured amount, no deductible
    p = vv(modules=["dental_400"], deductible_eur="100")
    ev = run(p, "dental", "300.00", "Root canal treatment", country="NL")
    assert (ev.reimbursed, ev.deductible_applied) == (D("300.00"), 0)
    ev = run(p, "dental", "300.00", "Root canal treatment", country="NL", usage={("dental_module", P): (0, D("300"))})
    assert ev.reimbursed == D("100.00")


VV_EXCLUSIONS = [  # art. 20
    ("medication", "Malarone malaria prophylaxis", {"prescription": True}, "excluded_malaria_prophylaxis"),
    ("medication", "Ibuprofen over the counter", {"prescription": True}, "excluded_otc_medication"),
    ("medication", "Vitamin D supplement", {"prescription": True}, "excluded_vitamins_supplements"),
    ("general_practice", "Medical certificate (keuring) for a job", {}, "excluded_medical_certificate"),
    ("dental", "Full denture", {"accident": True}, "excluded_dentures_glasses"),
    ("general_practice", "Wlz langdurige zorg", {}, "excluded_wlz"),
]


@pytest.mark.parametrize("ttype,desc,facts,code", VV_EXCLUSIONS, ids=[r[3] for r in VV_EXCLUSIONS])
def test_vv_exclusions(ttype, desc, facts, code):
    ev = run(vv(), ttype, "100.00", desc, country="NL", facts=facts)
    assert ev.decision == "not_covered" and code in codes(ev)


# art. 16: Schengen states plus BG, CY, IE, HR, RO and the UK; not overseas territories (AW, CW, BQ)
VV_AREA = [{"country": c, "covered": True} for c in (
    "AT", "BE", "BG", "CH", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GB", "GR", "HR", "HU", "IE", "IS",
    "IT", "LI", "LT", "LU", "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK")] + \
    [{"country": c, "covered": False} for c in ("AW", "CW", "BQ", "US", "TR")]


@pytest.mark.parametrize("cell", VV_AREA, ids=lambda c: c["country"])
def test_vv_area_country(cell):
    ev = run(vv(), "general_practice", "100.00", country=cell["country"], facts={"days_abroad": 1})
    assert (ev.decision == "covered") is cell["covered"]


def test_vv_country_of_origin_unknown_asks():
    ev = run(vv(country_of_origin=None), "general_practice", country="BE", facts={"days_abroad": 1})
    assert ev.decision == "pending_information"
    assert run(vv(country_of_origin=None), "general_practice", country="NL").decision == "covered"


def test_vv_admission_begun_in_period_covered_after_end():
    # art. 19 Ziekenhuisopname: an admission in NL that began in the insured period is covered after its end
    late = {"day": "2027-02-10", "today": date(2027, 3, 1), "country": "NL", "setting": "inpatient"}
    ev = run(vv(), "hospital_admission", "1000.00", "Admission", facts={"admission_date": "2027-01-20"}, **late)
    assert ev.decision == "covered"
    ev = run(vv(), "hospital_admission", "1000.00", "Admission", **late)  # start unknown: not paid
    assert ev.decision != "covered" and ev.reimbursed == 0


# --- variant conditions and limits, one case each (expected values from the article named) ----------

LONG_AUTH = [{"reference": "W-L", "treatment_type": t, "country": None, "valid_from": "2024-01-01",
              "valid_to": "2029-12-31"} for t in ("dermatology", "repatriation", "mental_health", "fertility")]


def case(key, ttype, amount, desc, expect, level="plus", who=None, facts=None, setting="outpatient",
         country=None, article=None, kind=None, bug=None, lines=None, code=None):
    product = key.split("/")[0]
    return {"key": key, "bug": bug, "product": product, "level": level, "who": who or {}, "ttype": ttype,
            "amount": amount, "desc": desc, "facts": facts or {}, "setting": setting,
            "country": country or ("NL" if product == "voorlopig_verblijf_nl" else "DE"),
            "expect": expect, "article": article, "kind": kind, "lines": lines, "code": code}


def run_case(c, usage=None, who=None, facts=None, **kw):
    who = {**c["who"], **(who or {})}
    person = vv(**who) if c["product"] == "voorlopig_verblijf_nl" else oom(c["level"], **who)
    return run(person, c["ttype"], c["amount"], c["desc"], country=c["country"], setting=c["setting"],
               facts={**c["facts"], **(facts or {})}, usage=usage, lines=c.get("lines"), **kw)


O, V = "oom_international", "voorlopig_verblijf_nl"
# coverage/README.md and tables.BOOL_FACTS list facts.orthodontics (the table's `fact: orthodontics`
# conditions), but coverage/claim.py FACTS rejects it: those conditions can never match.
FERTILE = {"primary_childlessness": True, "first_child": True}
YOUNG, CHILD, MALE = {"date_of_birth": "2008-01-01"}, {"date_of_birth": "2012-01-01"}, {"sex": "male"}
SOS = {"region": "C"}
ZORGPLAN = {"modules": ["zorgplan"]}
PSY_WARD = (("Verpleegdagen psychiatrische afdeling 3 nachten", "3000.00"), ("Single room on request", "400.00"))
CASES = [
    # OOM International art. 8 / art. 11
    case(f"{O}/patient_transport/ambulance", "patient_transport", "480.00", "Transport", "480.00",
         facts={"transport": "ambulance"}),
    case(f"{O}/patient_transport/taxi", "patient_transport", "35.00", "Ride", "35.00", facts={"transport": "taxi"}),
    case(f"{O}/vaccination/exposure_vaccination", "vaccination", "100.00", "Vaccine", "100.00",
         facts={"vaccination": "exposure"}),
    case(f"{O}/vaccination/travel_vaccination", "vaccination", "200.00", "Vaccine", "100.00",
         facts={"vaccination": "travel"}),
    case(f"{O}/vaccination/travel_vaccination", "vaccination", "200.00", "Vaccine", "150.00", level="top",
         facts={"vaccination": "travel"}),
    case(f"{O}/vaccination/preventive_vaccination", "vaccination", "100.00", "Vaccine", "100.00",
         facts={"vaccination": "preventive"}),
    case(f"{O}/dental/orthodontics_under_21", "dental", "2500.00", "Dental treatment", "1200.00", who=CHILD,
         facts={"orthodontics": True}),
    case(f"{O}/dental/orthodontics_from_21", "dental", "1000.00", "Dental treatment", "500.00", level="top",
         facts={"orthodontics": True}),
    case(f"{O}/maternity/delivery", "maternity", "1000.00", "Delivery (outpatient clinic)", "750.00"),
    case(f"{O}/maternity/delivery", "maternity", "1000.00", "Delivery (outpatient clinic)", "750.00", level="top"),
    case(f"{O}/maternity/delivery", "maternity", "1000.00", "Maternity ward stay", "750.00", setting="inpatient"),
    case(f"{O}/reproductive_health/male_sterilisation", "reproductive_health", "900.00", "Sterilisation",
         "450.00", who=MALE),
    case(f"{O}/reproductive_health/male_sterilisation", "reproductive_health", "900.00", "Sterilisation",
         "900.00"),
    case(f"{O}/reproductive_health/male_sterilisation", "reproductive_health", "900.00",
         "Contraceptive counselling", "900.00", who=MALE),
    case(f"{O}/dermatology/acne_under_21", "dermatology", "900.00", "Acne treatment", "not_covered", who=YOUNG),
    case(f"{O}/dermatology/acne_under_21", "dermatology", "900.00", "Acne treatment", "not_covered", who=YOUNG,
         level="top"),
    case(f"{O}/dermatology/acne_under_21", "dermatology", "900.00", "Acne treatment", "pending_information"),
    case(f"{O}/dermatology/acne_under_21", "dermatology", "200.00", "Camouflage instruction", "70.00", who=YOUNG,
         facts={"severe_skin_condition_face_neck": True, "sessions": 1}),
    case(f"{O}/medical_aids/prostheses_orthoses", "medical_aids", "1000.00", "Knee orthosis",
         "pending_information", facts={"event_ref": "fall"}),
    case(f"{O}/medical_aids/prostheses_orthoses", "medical_aids", "1000.00", "Knee orthosis", "not_covered",
         level="top", facts={"event_ref": "fall", "accident": False}),
    case(f"{O}/foot_care/pedicure", "foot_care", "300.00", "Pedicure", "pending_information"),
    case(f"{O}/repatriation/search_and_rescue", "repatriation", "3000.00", "Search and rescue", "not_covered",
         facts={"event_ref": "e", "official_request": False}),
    case(f"{O}/repatriation/search_and_rescue", "repatriation", "3000.00", "Search and rescue", "not_covered",
         level="top", facts={"event_ref": "e", "official_request": False}),
    *[case(f"{O}/repatriation/remains", "repatriation", "30000.00", "Transport of remains", "25000.00",
           level=lv, who=SOS, country="US", facts={"event_ref": "e"}) for lv in LEVELS],
    *[case(f"{O}/repatriation/repatriation_stay", "repatriation", "800.00", "Hotel 5 nights", "500.00",
           level=lv, who=SOS, country="US", facts={"event_ref": "e"}) for lv in LEVELS],
    *[case(f"{O}/repatriation/repatriation", "repatriation", "9000.00", "Air ambulance", "9000.00", level=lv,
           who={**SOS, "prior_authorisations": LONG_AUTH}, country="US", facts={"event_ref": "e"}) for lv in LEVELS],
    # art. 8 Preventieve geneeskunde: only the listed examinations, Plus and Top alike
    *[case(f"{O}/preventive_care/cardiovascular_screening", "preventive_care", "300.00", "Cardiovascular check",
           "300.00", level=lv) for lv in LEVELS],
    case(f"{O}/preventive_care/cervical_screening", "preventive_care", "80.00", "Pap smear", "80.00"),
    case(f"{O}/preventive_care/screening_age_or_sex", "preventive_care", "80.00", "Pap smear", "not_covered",
         who={"date_of_birth": "2007-01-01"}),
    case(f"{O}/preventive_care/screening_age_or_sex", "preventive_care", "80.00", "Pap smear", "not_covered",
         who=MALE),
    case(f"{O}/preventive_care/breast_screening", "preventive_care", "200.00", "Mammography", "200.00", level="top"),
    case(f"{O}/preventive_care/screening_age_or_sex", "preventive_care", "200.00", "Mammography", "not_covered",
         who={"date_of_birth": "2001-01-01"}),
    case(f"{O}/preventive_care/screening_age_or_sex", "preventive_care", "200.00", "Mammography", "not_covered",
         who=MALE),
    case(f"{O}/preventive_care/prostate_screening", "preventive_care", "60.00", "PSA test", "60.00",
         who={"sex": "male", "date_of_birth": "1981-01-01"}),
    case(f"{O}/preventive_care/screening_age_or_sex", "preventive_care", "60.00", "PSA test", "not_covered",
         who=MALE),
    case(f"{O}/preventive_care/screening_age_or_sex", "preventive_care", "60.00", "PSA test", "not_covered",
         level="top", who=MALE),
    case(f"{O}/preventive_care/screening_age_or_sex", "preventive_care", "60.00", "PSA test", "not_covered",
         who={"date_of_birth": "1981-01-01"}),
    *[case(f"{O}/preventive_care/colon_screening", "preventive_care", "900.00", "Colonoscopy", "900.00", level=lv)
      for lv in LEVELS],
    *[case(f"{O}/preventive_care/youth_health_care", "preventive_care", "50.00", "Consultatiebureau visit", "50.00",
           level=lv, who=CHILD) for lv in LEVELS],
    case(f"{O}/preventive_care/otherwise", "preventive_care", "300.00", "General health check",
         "pending_information"),
    case(f"{O}/preventive_care/otherwise", "preventive_care", "300.00", "General health check",
         "pending_information", level="top", who={"sex": "male", "date_of_birth": "1981-01-01"}),
    # art. 8 Vruchtbaarheidsbevordering: a woman under 43, primary childlessness, a first child, approval; no PGD
    *[case(f"{O}/fertility/ivf_icsi", "fertility", "5000.00", "IVF cycle", "3000.00", level=lv,
           who={"prior_authorisations": LONG_AUTH}, facts={**FERTILE, "sessions": 1}) for lv in LEVELS],
    case(f"{O}/fertility/ivf_icsi", "fertility", "5000.00", "IVF cycle", "not_covered",
         who={"prior_authorisations": LONG_AUTH}, facts={**FERTILE, "sessions": 1, "first_child": False}),
    case(f"{O}/fertility/ivf_icsi", "fertility", "5000.00", "IVF cycle", "not_covered", level="top",
         who={"prior_authorisations": LONG_AUTH}, facts={"first_child": True, "sessions": 1,
                                                          "primary_childlessness": False}),
    case(f"{O}/fertility/ivf_icsi", "fertility", "5000.00", "IVF cycle", "not_covered",
         who={"prior_authorisations": LONG_AUTH, "date_of_birth": "1980-01-01"}, facts={**FERTILE, "sessions": 1}),
    case(f"{O}/fertility/ivf_icsi", "fertility", "5000.00", "IVF cycle", "pending_information",
         who={"prior_authorisations": LONG_AUTH, "sex": "male"}, facts={**FERTILE, "sessions": 1}),
    *[case(f"{O}/fertility/fertility_other", "fertility", "1200.00", "Ovulation induction", expect, level=lv,
           who={"prior_authorisations": LONG_AUTH, **who}, facts=facts)
      for lv in LEVELS for who, facts, expect in [
          ({}, FERTILE, "1200.00"), ({}, {**FERTILE, "first_child": False}, "not_covered"),
          ({}, {**FERTILE, "primary_childlessness": False}, "not_covered"),
          ({"date_of_birth": "1980-01-01"}, FERTILE, "not_covered"),
          ({"sex": "male"}, FERTILE, "pending_information")]],
    *[case(f"{O}/fertility/fertility_pgd", "fertility", "1200.00", "PGD embryo testing", "not_covered", level=lv,
           who={"prior_authorisations": LONG_AUTH}, facts=FERTILE) for lv in LEVELS],
    case(f"{O}/fertility/fertility_from_43", "fertility", "1200.00", "Ovulation induction", "not_covered",
         level="top", who={"prior_authorisations": LONG_AUTH, "date_of_birth": "1980-01-01"}, facts=FERTILE),
    case(f"{O}/fertility/otherwise", "fertility", "1200.00", "Ovulation induction", "pending_information",
         who={"prior_authorisations": LONG_AUTH, "sex": "male"}, facts=FERTILE),
    # issue 5: art. 9 Zorgplan comfort not on a psychiatric admission (ggz institution or psychiatric ward)
    *[case(f"{O}/hospital_admission/comfort_psychiatric_admission", "hospital_admission", "3400.00", None, paid,
           level=lv, who=ZORGPLAN, setting="inpatient", facts={"days": 3}, lines=lines, code=code,
           article=article)
      for lv in LEVELS for lines, paid, code, article in [
          (PSY_WARD, "3000.00", "comfort_psychiatric_admission_not_covered", "art. 9"),
          ((("Verpleegdagen 3 nachten", "3000.00"), ("Eenpersoonskamer op verzoek", "400.00")), "3400.00",
           None, None)]],
    *[case(f"{O}/hospital_admission/comfort_psychiatric_admission", "hospital_admission", "2080.00", None,
           "2000.00", level=lv, who=ZORGPLAN, setting="inpatient", facts={"days": 8}, code="comfort_psychiatric_admission_not_covered",
           lines=(("Opname psychiatrie 8 dagen", "2000.00"), ("Parkeerkosten", "80.00"))) for lv in LEVELS],
    *[case(f"{O}/mental_health/comfort_psychiatric_admission", "mental_health", "5600.00", None, "5000.00",
           level=lv, who=who, setting="inpatient", code="comfort_psychiatric_admission_not_covered",
           lines=(("Psychiatric admission 10 days", "5000.00"), ("Single room supplement", "600.00")))
      for lv in LEVELS for who in ({}, ZORGPLAN)],
    *[case(f"{O}/mental_health/comfort_psychiatric_admission", "mental_health", "110.00", None, "110.00",
           level=lv, who=ZORGPLAN, lines=(("Psychotherapy session", "100.00"), ("Parking", "10.00")))
      for lv in LEVELS],
    # issue 5: art. 8 Kraamzorg: the maximum less EUR 150 (Plus) / EUR 225 (Top) per admission day of the delivery
    *[case(f"{O}/maternity/home_maternity_care", "maternity", "3000.00", "Kraamzorg 8 dagen", paid, level=lv,
           facts={"event_ref": "birth", "maternity_admission_days": n}, code=code)
      for lv, n, paid, code in [("plus", 2, "1200.00", "home_maternity_care_cap_reduced"),
                                ("top", 2, "1800.00", "home_maternity_care_cap_reduced"),
                                ("plus", 0, "1500.00", None), ("top", 10, "not_covered", None)]],
    # issue 5: art. 8 Kraamzorg: Plus pays it at home only ("kraamzorg thuis"), Top also in a kraamhotel
    case(f"{O}/maternity/kraamhotel", "maternity", "3000.00", "Kraamhotel 5 dagen", "not_covered",
         facts={"event_ref": "birth", "maternity_admission_days": 0}, code="kraamhotel_not_covered",
         article="Zwangerschap"),
    case(f"{O}/maternity/kraamhotel", "maternity", "3000.00", "Kraamhotel 5 dagen", "1800.00", level="top",
         facts={"event_ref": "birth", "maternity_admission_days": 2}, code="kraamhotel_cap_reduced"),
    # issue 5: art. 8 Ziekenhuisopname: one continuous stay at most 365 days (also a psychiatric admission)
    *[case(f"{O}/admission_max_days", ttype, "4000.00", "Verpleegdagen", "3650.00", level=lv,
           setting="inpatient", facts={"admission_date": "2025-04-01", "days": 400}, code="stay_limit_reached")
      for lv in LEVELS for ttype in ("hospital_admission", "mental_health")],
    case(f"{O}/admission_max_days", "hospital_admission", "4000.00", "Verpleegdagen", "pending_information",
         setting="inpatient", facts={"admission_date": "2025-04-01"}, code="stay_limit_days_unknown"),
    # issue 5: art. 8 Zorghotel in Nederland (Top, OOM consent) and art. 9 Zorghotel (Zorgplan, reviewer)
    *[case(f"{O}/accommodation/zorghotel_zorgplan", "accommodation", "500.00", desc, expect, level=lv, who=who,
           country=country, facts={"event_ref": "e"}, code=code)
      for lv in LEVELS for desc, who, country, expect, code in [
          ("Zorghotel 5 nachten", ZORGPLAN, "NL", "pending_information", "zorghotel_zorgplan_review"),
          ("Herstellingsoord 5 nachten", ZORGPLAN, "DE", "pending_information", "zorghotel_zorgplan_review"),
          ("Hotel near hospital 5 nights", ZORGPLAN, "NL", "500.00", None)]],
    case(f"{O}/accommodation/zorghotel_zorgplan", "accommodation", "800.00", "Zorghotel 5 nachten", "800.00",
         level="top", who={"prior_authorisations": [auth("accommodation")]}, country="NL"),
    *[case(f"{O}/accommodation/zorghotel_nl", "accommodation", "800.00", "Zorghotel 5 nachten", expect, level=lv,
           who=who, country=country, facts={"event_ref": "e"}, code=code, article=article)
      for lv, who, country, expect, code, article in [
          ("plus", {}, "NL", "not_covered", "zorghotel_nl_not_covered", "Zorghotel in Nederland"),
          ("top", {}, "NL", "not_covered", "insurer_approval_missing", "Zorghotel in Nederland"),
          ("top", {"prior_authorisations": [auth("accommodation")]}, "NL", "800.00", None, "Zorghotel in Nederland"),
          ("top", {"prior_authorisations": [auth("accommodation")]}, "DE", "not_covered",
           "zorghotel_outside_nl_not_covered", None)]],
    *[case(f"{O}/accommodation/{v}", "accommodation", "500.00", "Hotel near hospital 5 nights", "500.00",
           level=lv, country=country, facts={"event_ref": "e"})
      for v, country in [("zorghotel_nl", "NL"), ("zorghotel_outside_nl", "DE")] for lv in LEVELS],
    *[case(f"{O}/accommodation/zorghotel_outside_nl", "accommodation", "800.00", "Care hotel 5 nights",
           "not_covered", level=lv, who={"prior_authorisations": [auth("accommodation")]},
           facts={"event_ref": "e"}, code="zorghotel_outside_nl_not_covered") for lv in LEVELS],
    # issue 5: lines naming a Zorgplan benefit (art. 9) that no row models go to a reviewer, whatever the row
    *[case(f"{O}/review_lines", ttype, "700.00", desc, "pending_information", level=lv, who=who,
           setting="inpatient", country=country, facts={"event_ref": "e", "days": 7, "transport": "taxi"},
           code=code, article="art. 9")
      for lv in LEVELS for who in ({}, ZORGPLAN) for ttype, desc, country, code in [
          ("accommodation", "Hospice eigen bijdrage 7 dagen", "NL", "zorgplan_hospice"),
          ("hospital_admission", "Eerstelijns verblijf 7 dagen", "NL", "zorgplan_eerstelijns_verblijf"),
          ("rehabilitation", "Geriatrische revalidatie 7 dagen", "NL", "zorgplan_geriatric_rehabilitation"),
          ("rehabilitation", "Zorghotel 7 nachten", "NL", "zorgplan_zorghotel"),
          ("maternity", "Geboortecentrum: hotelfaciliteiten partner", "NL", "zorgplan_birth_centre_facilities"),
          ("patient_transport", "Taxi zonder medische noodzaak (ontslag)", "NL",
           "zorgplan_transport_without_medical_need"),
          ("hospital_admission", "Compensatie eenpersoonskamer 7 dagen", "DE", "zorgplan_single_room_compensation")]],
    # Voorlopig Verblijf art. 19 / 20
    case(f"{V}/medication/prescription_medication", "medication", "100.00", "Amoxicillin", "100.00",
         facts={"prescription": True}),
    case(f"{V}/patient_transport/ambulance", "patient_transport", "100.00", "Transport", "100.00",
         facts={"transport": "ambulance"}),
    case(f"{V}/patient_transport/taxi", "patient_transport", "100.00", "Ride", "100.00", facts={"transport": "taxi"}),
    case(f"{V}/vaccination/exposure_vaccination", "vaccination", "100.00", "Vaccine", "100.00",
         facts={"vaccination": "exposure"}),
    *[case(f"{V}/vaccination/other_vaccination", "vaccination", "100.00", "Vaccine", "not_covered",
           facts={"vaccination": kind}, article="art. 20") for kind in ("travel", "preventive")],
    case(f"{V}/reproductive_health/abortion_complication", "reproductive_health", "100.00", "Sterilisation",
         "not_covered", facts={"pregnancy_complication_before_32w": True}),
    case(f"{V}/accommodation/accommodation", "accommodation", "800.00", "Hotel", "500.00",
         facts={"days": 5, "event_ref": "e"}),
    case(f"{V}/mental_health/psychotherapy", "mental_health", "800.00", "Psychotherapy", "500.00",
         who={"prior_authorisations": LONG_AUTH}, facts={"sessions": 5}),
    case(f"{V}/medical_aids/crutches_wheelchair", "medical_aids", "300.00", "Crutches", "pending_information",
         facts={"event_ref": "e"}),
    case(f"{V}/medical_aids/prostheses_orthoses", "medical_aids", "900.00", "Prosthesis", "pending_information",
         facts={"event_ref": "e"}),
    case(f"{V}/repatriation/search_and_rescue", "repatriation", "3000.00", "Search and rescue", "not_covered",
         facts={"event_ref": "e", "official_request": False}),
    case(f"{V}/repatriation/repatriation", "repatriation", "3000.00", "Repatriation flight", "not_covered",
         facts={"event_ref": "e"}),
]


def params(rows, label):
    return [pytest.param(c, id=label(c), marks=[pytest.mark.xfail(strict=True, reason=c["bug"])] if c["bug"] else [])
            for c in rows]


@pytest.mark.parametrize("c", params(CASES, lambda c: f"{c['key']}-{c['level']}-{c['desc']}"))
def test_case(c):
    ev = run_case(c)
    if c["expect"] in ("not_covered", "pending_information"):
        assert ev.decision == c["expect"] and ev.reimbursed == 0
    else:
        assert ev.reimbursed == D(c["expect"])
    if c["article"]:
        assert any(c["article"] in r.article for r in ev.reasons)
    if c["code"]:
        assert c["code"] in codes(ev)


# Limits per year reset the next insurance year (OOM) or insured period (VV); per illness/accident/event
# limits reset for another event; lifetime limits never; per 2 insurance years after two years.
PERIODS = [
    *[case(f"{O}/dental/dental_accident", "dental", "100.00", "Crown", None, level=lv, facts={"accident": True},
           kind="year") for lv in LEVELS],
    *[case(f"{O}/dental/dental_under_18", "dental", "100.00", "Filling", None, level=lv, who=CHILD, kind="year")
      for lv in LEVELS],
    *[case(f"{O}/dental/dental_special_from_18", "dental", "100.00", "Extraction", None, level=lv,
           facts={"dental_special": True}, kind="year") for lv in LEVELS],
    case(f"{O}/dental/orthodontics_from_21", "dental", "100.00", "Braces", None, level="top", kind="lifetime"),
    *[case(f"{O}/maternity/home_maternity_care", "maternity", "100.00", "Kraamzorg", None, level=lv,
           facts={"event_ref": "birth"}, kind="event") for lv in LEVELS],
    case(f"{O}/maternity/kraamhotel", "maternity", "100.00", "Kraamhotel", None, level="top",
         facts={"event_ref": "birth", "maternity_admission_days": 0}, kind="event"),
    *[case(f"{O}/reproductive_health/male_sterilisation", "reproductive_health", "100.00", "Vasectomy", None,
           level=lv, who=MALE, kind="lifetime") for lv in LEVELS],
    *[case(f"{O}/mental_health/psychotherapy", "mental_health", "100.00", "Psychotherapy", None, level=lv,
           kind="year") for lv in LEVELS],
    *[case(f"{O}/medical_aids/crutches_wheelchair", "medical_aids", "50.00", "Crutches", None, level=lv,
           facts={"accident": True, "event_ref": "fall"}, kind="event") for lv in LEVELS],
    *[case(f"{O}/medical_aids/prostheses_orthoses", "medical_aids", "50.00", "Knee orthosis", None, level=lv,
           facts={"accident": True, "event_ref": "fall"}, kind="event") for lv in LEVELS],
    case(f"{O}/medical_aids/insoles", "medical_aids", "50.00", "Insoles", None, kind="year"),
    case(f"{O}/optical/optical", "optical", "100.00", "Glasses", None, level="top", kind="two_years"),
    case(f"{O}/dermatology/acne_under_21", "dermatology", "100.00", "Acne treatment", None,
         who={**YOUNG, "prior_authorisations": LONG_AUTH}, kind="year"),
    case(f"{O}/dermatology/psoriasis_daycare", "dermatology", "100.00", "Psoriasis day treatment", None,
         kind="year"),
    case(f"{O}/dermatology/spa_rheuma_psoriasis", "dermatology", "100.00", "Kuuroord", None, level="top",
         kind="year"),
    *[case(f"{O}/dermatology/epilation", "dermatology", "100.00", "Laser epilation", None, level=lv,
           who={"prior_authorisations": LONG_AUTH}, kind="lifetime") for lv in LEVELS],
    *[case(f"{O}/dermatology/camouflage", "dermatology", "50.00", "Camouflage instruction", None, level=lv,
           facts={"severe_skin_condition_face_neck": True, "sessions": 1}, kind="year") for lv in LEVELS],
    case(f"{O}/foot_care/podotherapy", "foot_care", "100.00", "Podotherapy", None, kind="year"),
    case(f"{O}/foot_care/pedicure", "foot_care", "100.00", "Pedicure", None, facts={"diabetes_or_ra": True},
         kind="year"),
    case(f"{O}/physiotherapy/physiotherapy_group", "physiotherapy", "100.00", "Physiotherapy",
         None, facts={"sessions": 2}, kind="year"),
    *[case(f"{O}/repatriation/search_and_rescue", "repatriation", "100.00", "Search and rescue", None, level=lv,
           facts={"event_ref": "e", "official_request": True}, kind="event") for lv in LEVELS],
    *[case(f"{O}/repatriation/remains", "repatriation", "100.00", "Transport of remains", None, level=lv,
           facts={"event_ref": "e"}, kind="event") for lv in LEVELS],
    *[case(f"{O}/repatriation/repatriation_stay", "repatriation", "100.00", "Hotel 1 night", None, level=lv,
           facts={"event_ref": "e"}, kind="event") for lv in LEVELS],
    case(f"{V}/accommodation/accommodation", "accommodation", "100.00", "Hotel", None,
         facts={"days": 1, "event_ref": "e"}, kind="event"),
    *[case(f"{O}/preventive_care/{v}", "preventive_care", "100.00", desc, None, level=lv, who=who, kind=kind)
      for lv in LEVELS for v, desc, who, kind in [
          ("cardiovascular_screening", "Heart check", {}, "two_years"),
          ("cervical_screening", "Pap smear", {}, "five_years"),
          ("breast_screening", "Mammography", {}, "two_years"),
          ("prostate_screening", "PSA test", {"sex": "male", "date_of_birth": "1981-01-01"}, "two_years"),
          ("colon_screening", "Colonoscopy", {}, "five_years")]],
    *[case(f"{O}/hospital_admission/{v}", "hospital_admission", "30.00", desc, None, level=lv, who=ZORGPLAN,
           setting="inpatient", facts={"days": days}, kind="year")
      for lv in LEVELS for v, desc, days in [("zorgplan_comfort", "Single room", 3),
                                             ("zorgplan_parking_short", "Parking", 3),
                                             ("zorgplan_parking_long", "Parking", 8)]],
    *[case(f"{O}/accommodation/zorgplan_nights_after_discharge", "accommodation", "100.00",
           "Hotel after discharge", None, level=lv, who=ZORGPLAN, facts={"days": 1, "event_ref": "e"}, kind="event")
      for lv in LEVELS],
    case(f"{V}/dental/dental_accident", "dental", "100.00", "Crown", None, facts={"accident": True}, kind="period"),
    case(f"{V}/medical_aids/crutches_wheelchair", "medical_aids", "50.00", "Crutches", None,
         facts={"accident": True, "event_ref": "e"}, kind="event"),
    case(f"{V}/medical_aids/prostheses_orthoses", "medical_aids", "50.00", "Prosthesis", None,
         facts={"accident": True, "event_ref": "e"}, kind="event"),
    case(f"{V}/repatriation/search_and_rescue", "repatriation", "100.00", "Search and rescue", None,
         facts={"event_ref": "e", "official_request": True}, kind="event"),
    case(f"{V}/repatriation/remains", "repatriation", "100.00", "Transport of remains", None,
         facts={"event_ref": "e"}, kind="event"),
    case(f"{V}/repatriation/repatriation", "repatriation", "100.00", "Repatriation flight", None,
         who={"prior_authorisations": LONG_AUTH}, facts={"event_ref": "e"}, kind="event"),
    case(f"{V}/mental_health/psychotherapy", "mental_health", "100.00", "Psychotherapy", None,
         who={"prior_authorisations": LONG_AUTH}, facts={"sessions": 1}, kind="period"),
    case(f"{V}/physiotherapy/physiotherapy_group", "physiotherapy", "100.00", "Physiotherapy", None,
         facts={"sessions": 1}, kind="period"),
    case(f"{V}/speech_therapy/speech_therapy", "speech_therapy", "100.00", "Speech therapy", None,
         facts={"sessions": 1}, kind="period"),
]
NEXT_YEAR = {"day": "2027-05-04", "today": date(2027, 6, 1)}


@pytest.mark.parametrize("c", params(PERIODS, lambda c: f"{c['key']}-{c['level']}-{c['kind']}"))
def test_limit_period(c):
    first = run_case(c)
    assert first.reimbursed > 0
    used = {k: (10 ** 6, D(10 ** 9)) for k in first.entries if k[0] not in ("annual_maximum", "deductible",
                                                                            "days_abroad")}
    assert used, "the benefit keeps no usage"
    assert run_case(c, usage=used).reimbursed == 0  # exhausted in the same period
    if c["kind"] == "event":
        later = run_case(c, usage=used, facts={"event_ref": "another event"})
    elif c["kind"] == "period":
        later = run_case(c, usage=used, who={"policy_start": "2027-02-01", "policy_end": "2028-01-31"}, **NEXT_YEAR)
    else:
        later = run_case(c, usage=used, **NEXT_YEAR)
    assert (later.reimbursed > 0) is (c["kind"] in ("year", "event", "period"))
    if c["kind"] == "two_years":  # blocks of two insurance years from the policy start (2024, 2026, 2028)
        assert run_case(c, usage=used, day="2028-05-04", today=date(2028, 6, 1)).reimbursed > 0
    if c["kind"] == "five_years":  # blocks of five insurance years from the policy start (2024, 2029)
        assert run_case(c, usage=used, day="2029-05-04", today=date(2029, 6, 1)).reimbursed > 0


@pytest.mark.parametrize("level", LEVELS)
def test_oom_camouflage_two_lessons_severe_condition(level):
    # art. 8 Dermatologie: at most 2 instruction lessons per year, only for severe skin conditions of face/neck
    severe = {"severe_skin_condition_face_neck": True}
    used = {("camouflage", Y): (1, D("0"))}
    ev = run(oom(level), "dermatology", "100.00", "Camouflage instruction", facts={**severe, "sessions": 2}, usage=used)
    assert ev.reimbursed == D("50.00")
    ev = run(oom(level), "dermatology", "50.00", "Camouflage instruction",
             facts={"severe_skin_condition_face_neck": False, "sessions": 1})
    assert ev.decision == "not_covered"
    ev = run(oom(level), "dermatology", "50.00", "Camouflage instruction", facts={"sessions": 1})
    assert ev.decision == "pending_information"


def test_vv_tariff_factor_abroad():
    # art. 11: abroad at most 2 x the Dutch tariff
    f = {"days_abroad": 1}
    ev = run(vv(), "specialist", "1000.00", "Consult", country="BE", facts={**f, "dutch_tariff_eur": "300"})
    assert ev.reimbursed == D("600.00")
    ev = run(vv(), "specialist", "500.00", "Consult", country="BE", facts={**f, "dutch_tariff_eur": "300"})
    assert ev.reimbursed == D("500.00")
    assert run(vv(), "specialist", "1000.00", "Consult", country="NL", facts={"dutch_tariff_eur": "300"}).reimbursed \
        == D("1000.00")


def test_vv_admission_abroad_30_days_after_end():
    # art. 19 Ziekenhuisopname: admitted abroad on the end date: costs up to 30 days after the end date
    p = vv()
    late = {"country": "BE", "setting": "inpatient", "today": date(2027, 6, 1)}
    f = {"admission_date": "2027-01-20", "days_abroad": 1, "dutch_tariff_eur": "100000"}
    ev = run(p, "hospital_admission", "2000.00", "Admission", day="2027-02-08", facts={**f, "days": 20}, **late)
    assert ev.reimbursed == D("2000.00")  # 20 nights, 20 Jan - 8 Feb
    ev = run(p, "hospital_admission", "8000.00", "Admission", day="2027-04-09", facts={**f, "days": 80}, **late)
    assert 0 < ev.reimbursed < D("8000.00")  # nights after 30 days past the end are not paid
    ev = run(p, "hospital_admission", "8000.00", "Admission", day="2027-04-09", country="NL", setting="inpatient",
             today=date(2027, 6, 1), facts={"admission_date": "2027-01-20", "days": 80})
    assert ev.reimbursed == D("8000.00")  # in NL the whole stay


def test_oom_admission_after_end_not_covered():
    # art. 3: only costs made while the policy runs, also for a stay that began before the end date
    p = oom(policy_start="2026-02-01", policy_end="2026-10-31")
    ev = run(p, "hospital_admission", "1600.00", "Admission", day="2026-11-09", setting="inpatient",
             today=date(2026, 12, 1), facts={"admission_date": "2026-10-25", "days": 16})
    assert 0 < ev.reimbursed < D("1600.00")
    ev = run(p, "hospital_admission", "700.00", "Admission", day="2026-10-31", setting="inpatient",
             today=date(2026, 12, 1), facts={"admission_date": "2026-10-25", "days": 7})
    assert ev.reimbursed == D("700.00")


def run_lines(person, lines, country="DE", facts=None, usage=None):
    total = sum(D(a) for _, a in lines)
    fields = {"invoice_date": "2026-05-04", "country": country, "currency": "EUR", "total_amount": str(total),
              "treatment_type": "hospital_admission", "setting": "inpatient",
              "line_items": [{"description": d, "amount": a} for d, a in lines]}
    return evaluate(person, parse_claim(fields, facts or {}), total, usage or {}, today=TODAY)


@pytest.mark.parametrize("level", LEVELS)
def test_oom_zorgplan_hospital_comfort(level):
    # art. 9 Zorgplan: single room, luxury package, partner bed and parking (EUR 50 up to 5 days, EUR 100 from
    # 6 days), together max EUR 2,500 per year, only for an admission in NL, BE or DE; no deductible
    zp = oom(level, modules=["zorgplan"], deductible_eur="250")
    ev = run_lines(zp, [("Admission", "100.00"), ("Single room on request", "400.00")], facts={"days": 3})
    assert (ev.reimbursed, ev.deductible_applied) == (D("400.00"), D("100.00"))
    ev = run_lines(zp, [("Admission", "100.00"), ("Parking", "80.00")], facts={"days": 3})
    assert (ev.reimbursed, ev.deductible_applied) == (D("50.00"), D("100.00"))
    ev = run_lines(zp, [("Admission", "100.00"), ("Parking", "150.00")], facts={"days": 8})
    assert (ev.reimbursed, ev.deductible_applied) == (D("100.00"), D("100.00"))
    used = {("zorgplan_comfort", Y): (0, D("2480"))}  # one limit for the four facilities together
    p = oom(level, modules=["zorgplan"])
    assert run_lines(p, [("Single room", "400.00")], facts={"days": 3}, usage=used).reimbursed == D("20.00")
    assert run_lines(p, [("Parking", "150.00")], facts={"days": 8}, usage=used).reimbursed == D("20.00")
    assert run_lines(p, [("Parking", "80.00")], facts={"days": 3}, usage=used).reimbursed == D("20.00")
    # outside NL, BE and DE, or without the module: no cover for the comfort lines
    ev = run_lines(p, [("Admission", "1000.00"), ("Single room", "400.00")], country="FR", facts={"days": 3})
    assert ev.reimbursed == D("1000.00")
    ev = run_lines(p, [("Admission", "1000.00"), ("Parking", "80.00")], country="FR", facts={"days": 3})
    assert ev.reimbursed == D("1000.00")
    ev = run_lines(oom(level), [("Admission", "1000.00"), ("Single room", "400.00")], facts={"days": 3})
    assert ev.reimbursed == D("1000.00") and ev.decision == "partially_covered"
    for days in (3, 8):
        ev = run_lines(oom(level), [("Admission", "1000.00"), ("Parking", "80.00")], facts={"days": days})
        assert ev.reimbursed == D("1000.00")
        ev = run_lines(p, [("Admission", "1000.00"), ("Parking", "80.00")], country="FR", facts={"days": days})
        assert ev.reimbursed == D("1000.00")


@pytest.mark.parametrize("level", LEVELS)
def test_oom_zorgplan_nights_after_discharge(level):
    # art. 9 Zorgplan: at most 2 nights after discharge, max EUR 100 per night, no deductible
    zp = oom(level, modules=["zorgplan"], deductible_eur="250")
    ev = run(zp, "accommodation", "450.00", "Hotel after discharge 3 nights", facts={"event_ref": "stay-1"})
    assert (ev.reimbursed, ev.deductible_applied) == (D("200.00"), 0)
    # art. 8 Verblijfskosten (EUR 100 a day) is a different benefit, with or without the module
    f = {"event_ref": "stay-1"}
    assert run(zp, "accommodation", "600.00", "Hotel near hospital 5 nights", facts=f).reimbursed == D("250.00")
    assert run(oom(level), "accommodation", "450.00", "Hotel after discharge 3 nights", facts=f).reimbursed \
        == D("300.00")
    lines = [("Hotel near hospital 5 nights", "500.00"), ("Hotel after discharge 2 nights", "200.00")]
    total = D("700.00")
    fields = {"invoice_date": "2026-05-04", "country": "DE", "currency": "EUR", "total_amount": str(total),
              "treatment_type": "accommodation", "setting": "outpatient",
              "line_items": [{"description": d, "amount": a} for d, a in lines]}
    ev = evaluate(oom(level, modules=["zorgplan"]), parse_claim(fields, f), total, {}, today=TODAY)
    assert ev.reimbursed == D("700.00")


@pytest.mark.parametrize("first,then", [("Kraamhotel 4 dagen", "Kraamzorg thuis 3 dagen"),
                                        ("Kraamzorg thuis 4 dagen", "Kraamhotel 3 dagen")])
def test_kraamhotel_and_home_maternity_care_share_one_maximum_on_top(first, then):
    # art. 8 Top: "kraamzorg thuis of in kraamhotel: tot maximaal EUR 2.250,-" - one maximum per birth
    facts = {"event_ref": "birth", "maternity_admission_days": 0}
    ev = run(oom("top"), "maternity", "2000.00", first, facts=facts)
    assert ev.reimbursed == D("2000.00")
    used = {k: v for k, v in ev.entries.items() if k[0] not in ("annual_maximum", "deductible")}
    assert run(oom("top"), "maternity", "1000.00", then, facts=facts, usage=used).reimbursed == D("250.00")


@pytest.mark.parametrize("level,desc", [("plus", "Kraamzorg"), ("top", "Kraamzorg"), ("top", "Kraamhotel")])
def test_oom_maternity_care_within_10_days_of_the_delivery(level, desc):
    # art. 8 Kraamzorg: "verspreid over maximaal 10 dagen vanaf de bevalling" (the delivery day is day 1)
    f = {"event_ref": "birth", "maternity_admission_days": 0, "delivery_date": "2026-05-01"}
    assert run(oom(level), "maternity", "700.00", f"{desc} 7 dagen", day="2026-05-02", facts=f).reimbursed \
        == D("700.00")
    assert run(oom(level), "maternity", "1400.00", f"{desc} 14 dagen", day="2026-05-01", facts=f).reimbursed \
        == D("1000.00")
    assert run(oom(level), "maternity", "500.00", desc, day="2026-05-13", facts=f).decision == "not_covered"
    ev = run(oom(level), "maternity", "500.00", desc, day="2026-05-13",
             facts={k: v for k, v in f.items() if k != "delivery_date"})
    assert ev.reimbursed == D("500.00") and "delivery_date_unknown" in codes(ev)
