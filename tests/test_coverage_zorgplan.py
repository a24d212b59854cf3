"""Issue 5, second part: OOM International Zorgplan (art. 9) and art. 8 limits the evaluator paid silently:
comfort lines on a psychiatric admission, the home maternity care maximum per admission day, the 365-day
hospital stay, the Top "Zorghotel in Nederland" row and Zorgplan-only benefits routed to a reviewer."""
from datetime import date
from decimal import Decimal as D

import pytest

from coverage import tables as T
from coverage.claim import ClaimError, parse_claim
from test_coverage_rules import LEVELS, auth, codes, paid, person, run
from test_coverage_tables import _broken


def zp(level, **kw):
    return person(level, **{"modules": ["zorgplan"], **kw})


def reason(ev, code):
    (found,) = [r for r in ev.reasons if r.code == code]
    return found


# --- 1. art. 9: no Zorgplan comfort on an admission in a ggz institution or psychiatric ward ---------------

@pytest.mark.parametrize("level", LEVELS)
def test_comfort_on_psychiatric_ward_not_paid_with_the_admission(level):
    lines = (("Verpleegdagen GGZ-instelling 4 nachten", "4000.00"), ("Eenpersoonskamer op verzoek", "400.00"),
             ("Partner bed", "100.00"))
    ev = run(zp(level), "hospital_admission", "4500.00", country="NL", setting="inpatient", lines=lines,
             facts={"days": 4})
    assert (ev.decision, paid(ev)) == ("partially_covered", D("4000.00"))
    r = reason(ev, "comfort_psychiatric_admission_not_covered")
    assert "art. 9" in r.article and "psychiatrische afdeling" in r.article
    assert ("zorgplan_comfort", "2026-01-01") not in ev.entries  # the yearly EUR 2,500 is not used
    # the same lines on an ordinary ward: Zorgplan comfort (art. 9)
    lines = (("Verpleegdagen 4 nachten", "4000.00"), ("Eenpersoonskamer op verzoek", "400.00"))
    assert paid(run(zp(level), "hospital_admission", "4400.00", country="NL", setting="inpatient", lines=lines,
                    facts={"days": 4})) == D("4400.00")


@pytest.mark.parametrize("level", LEVELS)
def test_comfort_lines_on_a_mental_health_admission_invoice(level):
    lines = (("Klinische opname psychiatrie 10 dagen", "6000.00"), ("Luxepakket tv en koelkast", "150.00"),
             ("Parkeerkosten", "60.00"))
    for p in (zp(level), person(level)):
        ev = run(p, "mental_health", "6210.00", setting="inpatient", lines=lines)
        assert (ev.decision, paid(ev)) == ("partially_covered", D("6000.00"))
        assert "art. 9" in reason(ev, "comfort_psychiatric_admission_not_covered").article
    # outpatient psychotherapy is not an admission: its lines stay under art. 8 Psychotherapie (EUR 800 Plus)
    ev = run(person(level), "mental_health", "120.00", lines=(("Psychotherapie", "100.00"), ("Parking", "20.00")))
    assert paid(ev) == D("120.00") and "comfort_psychiatric_admission_not_covered" not in codes(ev)


# --- 2. art. 8 Kraamzorg: maximum less EUR 150 (Plus) / EUR 225 (Top) per admission day -------------------

@pytest.mark.parametrize("level,cap,per", [("plus", "1500", "150"), ("top", "2250", "225")])
def test_home_maternity_care_maximum_reduced_per_admission_day(level, cap, per):
    def care(amount, **facts):
        return run(person(level), "maternity", amount, lines=(("Kraamzorg 8 dagen", amount),),
                   facts={"event_ref": "birth-1", **facts})
    ev = care("3000.00", maternity_admission_days=3)
    assert paid(ev) == D(cap) - 3 * D(per)
    assert "art. 8, Zwangerschap" in reason(ev, "home_maternity_care_cap_reduced").article
    assert paid(care("3000.00", maternity_admission_days=0)) == D(cap)  # home or outpatient delivery
    assert care("3000.00", maternity_admission_days=10).decision == "not_covered"
    key = next(k for k in care("1.00", maternity_admission_days=1).entries if k[0] == "home_maternity_care")
    ev = run(person(level), "maternity", "3000.00", lines=(("Kraamzorg 8 dagen", "3000.00"),),
             facts={"event_ref": "birth-1", "maternity_admission_days": 1}, usage={key: (0, D("500"))})
    assert paid(ev) == D(cap) - D(per) - 500  # the reduced maximum is for the whole birth


@pytest.mark.parametrize("level,cap", [("plus", "1500.00"), ("top", "2250.00")])
def test_home_maternity_care_unknown_admission_days_paid_and_asked(level, cap):
    ev = run(person(level), "maternity", "3000.00", lines=(("Kraamzorg 8 dagen", "3000.00"),),
             facts={"event_ref": "birth-1"})
    assert paid(ev) == D(cap)  # as before, but a reviewer must check the admission days
    flag = reason(ev, "maternity_admission_days_unknown")
    assert flag.needs_review and "facts.maternity_admission_days" in flag.message
    assert not any(r.needs_review for r in run(
        person(level), "maternity", "500.00", lines=(("Kraamzorg", "500.00"),),
        facts={"event_ref": "birth-1", "maternity_admission_days": 0, "delivery_date": "2026-05-01"}).reasons)


def test_maternity_admission_days_is_a_whole_number_fact():
    fields = {"invoice_date": "2026-05-04", "country": "DE", "currency": "EUR", "total_amount": "1",
              "treatment_type": "maternity"}
    with pytest.raises(ClaimError) as err:
        parse_claim(fields, {"maternity_admission_days": "two"})
    assert err.value.field == "facts.maternity_admission_days"
    assert parse_claim(fields, {"maternity_admission_days": 2}).facts["maternity_admission_days"] == 2


# --- 3. art. 8 Ziekenhuisopname: at most 365 continuous days; art. 8 Zorghotel in Nederland (Top) ----------

@pytest.mark.parametrize("level", LEVELS)
def test_hospital_stay_paid_for_at_most_365_days(level):
    f = {"admission_date": "2025-03-01", "days": 430}
    ev = run(person(level), "hospital_admission", "43000.00", setting="inpatient",
             lines=(("Verpleegdagen", "43000.00"),), facts=f)
    assert (ev.decision, paid(ev)) == ("partially_covered", D("36500.00"))
    assert reason(ev, "stay_limit_reached").article == "OOM International art. 8, Ziekenhuisopname"
    # the nights read from the lines when facts.days is not given
    ev = run(person(level), "hospital_admission", "40000.00", setting="inpatient",
             lines=(("Verpleegdagen 400 dagen", "40000.00"),))
    assert paid(ev) == D("36500.00")
    # within 365 days: the whole stay
    ev = run(person(level), "hospital_admission", "30000.00", setting="inpatient",
             lines=(("Verpleegdagen", "30000.00"),), facts={"admission_date": "2025-06-01", "days": 300})
    assert paid(ev) == D("30000.00") and "stay_limit_reached" not in codes(ev)


def test_hospital_stay_past_365_days_without_nights_is_asked():
    ev = run(person("plus"), "hospital_admission", "3000.00", setting="inpatient",
             lines=(("Verpleegdagen", "3000.00"),), facts={"admission_date": "2025-03-01"})
    assert ev.decision == "pending_information" and paid(ev) == 0
    q = reason(ev, "stay_limit_days_unknown")
    assert "365" in q.message and "30 days" in q.message and "facts.days" in q.message
    # an admission that began less than 365 days ago: nothing to ask
    ev = run(person("plus"), "hospital_admission", "3000.00", setting="inpatient",
             lines=(("Verpleegdagen", "3000.00"),), facts={"admission_date": "2026-01-10"})
    assert paid(ev) == D("3000.00")


def test_365_days_with_a_stay_past_the_policy_end_pays_the_smaller_share():
    p = person("plus", policy_start="2024-01-01", policy_end="2026-04-30")
    f = {"admission_date": "2025-04-01", "days": 400}  # 365 days end 2026-03-31, before the policy end
    ev = run(p, "hospital_admission", "4000.00", setting="inpatient", lines=(("Verpleegdagen", "4000.00"),),
             facts=f, day="2026-05-05", today=date(2026, 6, 1))
    assert paid(ev) == D("3650.00")


@pytest.mark.parametrize("level", LEVELS)
def test_psychiatric_admission_also_limited_to_365_days(level):
    ev = run(person(level), "mental_health", "8000.00", setting="inpatient",
             lines=(("Psychiatric admission", "8000.00"),), facts={"days": 400})
    assert paid(ev) == D("7300.00") and "stay_limit_reached" in codes(ev)
    ev = run(person(level), "mental_health", "100.00", lines=(("Psychotherapy", "100.00"),),
             facts={"days": 400})
    assert "stay_limit_reached" not in codes(ev)  # outpatient: no stay


def test_zorghotel_in_nederland_top_only_with_consent():
    lines = (("Zorghotel 6 nachten", "900.00"),)
    nl = {"country": "NL", "lines": lines, "facts": {"event_ref": "e"}}
    ev = run(person("plus"), "accommodation", "900.00", **nl)
    assert ev.decision == "not_covered" and "Zorghotel in Nederland" in reason(ev, "zorghotel_nl_not_covered").article
    assert "insurer_approval_missing" in codes(run(person("top"), "accommodation", "900.00", **nl))
    top = person("top", prior_authorisations=[auth("accommodation")])
    assert paid(run(top, "accommodation", "900.00", **nl)) == D("900.00")  # cost price, not EUR 100 a day
    ev = run(top, "accommodation", "900.00", country="BE", lines=lines, facts={"event_ref": "e"})
    assert ev.decision == "not_covered" and "zorghotel_outside_nl_not_covered" in codes(ev)
    # with the Zorgplan module (art. 9 Zorghotel) a reviewer checks the conditions
    ev = run(zp("plus"), "accommodation", "900.00", **nl)
    assert ev.decision == "pending_information"
    assert "psychological" in reason(ev, "zorghotel_zorgplan_review").message
    assert reason(ev, "zorghotel_zorgplan_review").article == "OOM International art. 9, Zorghotel"


# --- 4. Zorgplan-only benefits: not paid under an ordinary row, a reviewer decides ----------------------------

REVIEW = [  # (treatment type of the line, description, code, article)
    ("hospital_admission", "Eerstelijns verblijf (ELV) 5 dagen", "zorgplan_eerstelijns_verblijf",
     "art. 9, Eerstelijns verblijf"),
    ("accommodation", "Hospice: eigen bijdrage 5 dagen", "zorgplan_hospice", "art. 9, Hospice"),
    ("rehabilitation", "Geriatric rehabilitation, extra facilities", "zorgplan_geriatric_rehabilitation",
     "art. 9, Geriatrische revalidatie"),
    ("hospital_admission", "Herstellingsoord 5 nachten", "zorgplan_zorghotel", "art. 9, Zorghotel"),
    ("maternity", "Birth centre hotel facilities", "zorgplan_birth_centre_facilities", "art. 9, Kraamzorg"),
    ("patient_transport", "Taxi without medical necessity", "zorgplan_transport_without_medical_need",
     "art. 9, vervoer zonder medische noodzaak"),
    ("hospital_admission", "Single room not available, compensation", "zorgplan_single_room_compensation",
     "compensatie eenpersoonskamer"),
]


@pytest.mark.parametrize("ttype,desc,code,article", REVIEW)
def test_zorgplan_only_benefit_lines_go_to_a_reviewer(ttype, desc, code, article):
    lines = (("Verpleegdagen 3 nachten", "3000.00", "hospital_admission"), (desc, "500.00", ttype))
    for p, module in ((zp("top"), "has the Zorgplan module"), (person("plus"), "does not have the Zorgplan")):
        ev = run(p, "hospital_admission", "3500.00", country="NL", setting="inpatient", lines=lines,
                 facts={"transport": "taxi", "event_ref": "e"})
        assert (ev.decision, paid(ev)) == ("pending_information", 0)
        q = reason(ev, code)
        assert q.needs_review and article in q.article and module in q.message


def test_review_line_excluded_by_art_13_is_not_asked():
    ev = run(zp("plus"), "accommodation", "500.00", country="NL",
             lines=(("Hospice eigen bijdrage Wlz", "500.00"),), facts={"event_ref": "e"})
    assert ev.decision == "not_covered" and "excluded_wlz_wmo" in codes(ev) and "zorgplan_hospice" not in codes(ev)


# --- tables ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("mutate,key", [
    (lambda d: d["benefits"]["maternity"]["variants"][0]["top"]["cap_reduction"].update(fact="km"),
     "benefits.maternity.variants[0].top.cap_reduction.fact"),
    (lambda d: d["benefits"]["maternity"]["variants"][0]["top"].pop("cap"),
     "benefits.maternity.variants[0].top.cap"),
    (lambda d: d["benefits"]["accommodation"]["variants"][1]["all"].update(review=""),
     "benefits.accommodation.variants[1].all.review"),
    (lambda d: d["benefits"]["hospital_admission"]["variants"][0]["when"][0].update(invoice_keywords=[]),
     "benefits.hospital_admission.variants[0].when[0].invoice_keywords"),
    (lambda d: d.update(admission_max_days=0), "admission_max_days"),
    (lambda d: d["review_lines"][0].pop("question"), "review_lines[0].question"),
    (lambda d: d["review_lines"][0].update(except_types=["massage"]), "review_lines[0].except_types"),
    (lambda d: d["review_lines"][0].update(colour="red"), "review_lines[0].colour"),
])
def test_bad_new_table_keys_are_named(tmp_path, mutate, key):
    assert _broken(tmp_path, mutate).key == key


def test_new_rules_loaded():
    t = T.tables()["oom_international"]
    assert t.admission_max_days == 365
    assert {r.code for r in t.review_lines} == {code for _, _, code, _ in REVIEW}


def test_whole_word_keywords_and_a_psychiatry_consult_on_a_somatic_stay():
    pat = T.keyword_pattern(["=comfort", "parking"])
    assert pat.search("comfort package") and pat.search("extra comfort") and not pat.search("discomfort")
    assert pat.search("hospital parkingfee")  # other long words still match inside words
    # "discomfort" on a psychiatric admission invoice is not a comfort line
    ev = run(person("plus"), "mental_health", "600.00", setting="inpatient",
             lines=(("Opname psychiatrie 1 dag", "500.00"), ("Treatment of chest discomfort", "100.00")))
    assert paid(ev) == D("600.00") and "comfort_psychiatric_admission_not_covered" not in codes(ev)
    # a psychiatry consult during a somatic stay does not make it a psychiatric admission
    lines = (("Verpleegdagen 4 nachten", "4000.00"), ("Consult psychiatrie", "150.00"),
             ("Eenpersoonskamer op verzoek", "400.00"))
    ev = run(zp("plus"), "hospital_admission", "4550.00", country="NL", setting="inpatient", lines=lines,
             facts={"days": 4})
    assert paid(ev) == D("4550.00") and "comfort_psychiatric_admission_not_covered" not in codes(ev)
