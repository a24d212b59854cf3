"""OOM International art. 8 Kraamzorg: home maternity care (Top also in a kraamhotel) is paid "verspreid over
maximaal 10 dagen vanaf de bevalling" - only for care within 10 days from the delivery (facts.delivery_date,
that day counted as day 1); care days (facts.days or "N dagen" in the lines) run from the treatment date."""
from datetime import date
from decimal import Decimal as D

import pytest

from coverage import tables as T
from coverage.claim import ClaimError, parse_claim
from test_coverage_rules import codes, paid, person, run
from test_coverage_tables import _broken

BIRTH = "2026-05-01"
# (level, line description, code prefix): Plus pays home care only, Top also a kraamhotel
VARIANTS = [("plus", "Kraamzorg", "home_maternity_care"), ("top", "Kraamzorg", "home_maternity_care"),
            ("top", "Kraamhotel", "kraamhotel")]


def care(level, desc, amount, day, **facts):
    facts = {"event_ref": "birth-1", "maternity_admission_days": 0, "delivery_date": BIRTH, **facts}
    facts = {k: v for k, v in facts.items() if v is not None}
    return run(person(level), "maternity", amount, lines=((desc, amount),), day=day, facts=facts)


def reason(ev, code):
    (found,) = [r for r in ev.reasons if r.code == code]
    return found


@pytest.mark.parametrize("level,desc,code", VARIANTS)
def test_care_within_the_window_paid_as_before(level, desc, code):
    ev = care(level, f"{desc} 8 dagen", "1000.00", "2026-05-02")
    assert (ev.decision, paid(ev)) == ("covered", D("1000.00"))
    assert not any(r.needs_review for r in ev.reasons) and f"{code}_window_limited" not in codes(ev)
    # the last day of the window (day 10), without a number of days
    assert paid(care(level, desc, "300.00", "2026-05-10")) == D("300.00")
    # the cap still applies: Plus EUR 1,500, Top EUR 2,250
    cap = {"plus": D("1500.00"), "top": D("2250.00")}[level]
    assert paid(care(level, f"{desc} 10 dagen", "5000.00", BIRTH)) == cap


@pytest.mark.parametrize("level,desc,code", VARIANTS)
def test_14_care_days_paid_10_of_14(level, desc, code):
    ev = care(level, f"{desc} 14 dagen", "1400.00", BIRTH)
    assert (ev.decision, paid(ev)) == ("partially_covered", D("1000.00"))
    r = reason(ev, f"{code}_window_limited")
    assert "art. 8, Zwangerschap" in r.article and "10 of the 14 days" in r.message
    # facts.days gives the days too
    assert paid(care(level, desc, "1400.00", BIRTH, days=14)) == D("1000.00")
    # the share is taken of the cost, then the cap applies (EUR 3,000 x 10/14 = EUR 2,142.86)
    expect = {"plus": D("1500.00"), "top": D("2142.86")}[level]
    assert paid(care(level, f"{desc} 14 dagen", "3000.00", BIRTH)) == expect


@pytest.mark.parametrize("level,desc,code", VARIANTS)
def test_care_starting_late_paid_for_the_days_inside_the_window(level, desc, code):
    # 6 days from 5 May: 5..10 May inside (days 5-10 from the delivery on 1 May), 11 May not
    ev = care(level, f"{desc} 7 dagen", "700.00", "2026-05-05")
    assert paid(ev) == D("600.00") and f"{code}_window_limited" in codes(ev)


@pytest.mark.parametrize("level,desc,code", VARIANTS)
def test_care_12_days_after_the_delivery_not_covered(level, desc, code):
    ev = care(level, desc, "500.00", "2026-05-13")
    assert (ev.decision, paid(ev)) == ("not_covered", 0)
    r = reason(ev, f"{code}_outside_window")
    assert "art. 8, Zwangerschap" in r.article and "10 days" in r.message and BIRTH in r.message
    assert not ev.entries  # no part of the maximum used
    # facts.treatment_date is the care date when given (the invoice date otherwise)
    ev = run(person(level), "maternity", "500.00", lines=((desc, "500.00"),), day="2026-05-04",
             facts={"event_ref": "b", "maternity_admission_days": 0, "delivery_date": BIRTH,
                    "treatment_date": "2026-05-13"})
    assert ev.decision == "not_covered"
    # day 11 is outside too (the delivery day is day 1)
    assert care(level, desc, "500.00", "2026-05-11").decision == "not_covered"


@pytest.mark.parametrize("level,desc,code", VARIANTS)
def test_unknown_delivery_date_paid_and_asked(level, desc, code):
    ev = care(level, f"{desc} 8 dagen", "1000.00", "2026-05-13", delivery_date=None)
    assert (ev.decision, paid(ev)) == ("covered", D("1000.00"))  # as before, not pending
    flag = reason(ev, "delivery_date_unknown")
    assert flag.needs_review and "facts.delivery_date" in flag.message and "10 days" in flag.message
    # more than 10 care days: still 10 of them, and asked
    ev = care(level, f"{desc} 14 dagen", "1400.00", "2026-05-13", delivery_date=None)
    assert paid(ev) == D("1000.00") and reason(ev, "delivery_date_unknown").needs_review


def test_care_dated_before_the_delivery_is_flagged():
    ev = care("plus", "Kraamzorg 4 dagen", "400.00", "2026-04-28")
    assert paid(ev) == D("400.00") and reason(ev, "delivery_date_after_care").needs_review


def test_other_maternity_care_has_no_window():
    ev = run(person("plus"), "maternity", "250.00", lines=(("Prenatal check-up by midwife", "250.00"),),
             day="2026-05-20", facts={"delivery_date": BIRTH})
    assert (ev.decision, paid(ev)) == ("covered", D("250.00"))


def test_delivery_date_is_a_date_fact():
    fields = {"invoice_date": "2026-05-04", "country": "DE", "currency": "EUR", "total_amount": "1",
              "treatment_type": "maternity"}
    for bad in ("1 May", "2026-02-30", True):
        with pytest.raises(ClaimError) as err:
            parse_claim(fields, {"delivery_date": bad})
        assert err.value.field == "facts.delivery_date"
    assert parse_claim(fields, {"delivery_date": BIRTH}).facts["delivery_date"] == date(2026, 5, 1)


def test_window_loaded_on_both_levels_and_variants():
    rows = T.tables()["oom_international"].benefits["maternity"].variants
    specs = {(v.name, lv): s for v in rows for lv, s in v.levels.items() if s is not None and s.window}
    assert set(specs) == {("kraamhotel", "top"), ("home_maternity_care", "plus"), ("home_maternity_care", "top")}
    assert all((s.window.fact, s.window.days) == ("delivery_date", 10) for s in specs.values())


@pytest.mark.parametrize("mutate,key", [
    (lambda d: d["benefits"]["maternity"]["variants"][1]["plus"]["window"].update(fact="admission_date"),
     "benefits.maternity.variants[1].plus.window.fact"),
    (lambda d: d["benefits"]["maternity"]["variants"][1]["top"]["window"].update(days=0),
     "benefits.maternity.variants[1].top.window.days"),
    (lambda d: d["benefits"]["maternity"]["variants"][0]["top"]["window"].pop("question"),
     "benefits.maternity.variants[0].top.window"),
    (lambda d: d["benefits"]["maternity"]["variants"][1]["plus"]["window"].update(question=" "),
     "benefits.maternity.variants[1].plus.window.question"),
])
def test_bad_window_is_named(tmp_path, mutate, key):
    assert _broken(tmp_path, mutate).key == key
