"""Date formats, languages, Buddhist-era years, day/month order by locale."""
from datetime import date

import pytest

from extractors.dates import find_dates, resolve_order


@pytest.mark.parametrize("text,iso", [
    ("03-04-2026", "2026-04-03"), ("03.04.2026", "2026-04-03"), ("25/04/2026", "2026-04-25"),
    ("2026-04-03", "2026-04-03"), ("25.04.26", "2026-04-25"), ("3 März 2026", "2026-03-03"),
    ("3. Maerz 2026", "2026-03-03"), ("12 de enero de 2026", "2026-01-12"), ("1er février 2025", "2025-02-01"),
    ("Mar 3, 2026", "2026-03-03"), ("March 3rd, 2026", "2026-03-03"), ("3 maart 2026", "2026-03-03"),
    ("14 mrt 2026", "2026-03-14"), ("5 giugno 2026", "2026-06-05"), ("5 de junho de 2026", "2026-06-05"),
    ("17-Aug-25", "2025-08-17"), ("2 déc. 2025", "2025-12-02"), ("21 dic 2025", "2025-12-21"),
    ("3 มีนาคม 2568", "2025-03-03"), ("๓ มี.ค. ๒๕๖๘", "2025-03-03"), ("15/01/2568", "2025-01-15"),
    ("3 มี.ค. 68", "2025-03-03"),
])
def test_formats(text, iso):
    hits = find_dates("Datum: " + text)
    assert len(hits) == 1
    assert hits[0].value.isoformat() == iso


def test_buddhist_year_flagged():
    assert find_dates("15/01/2568")[0].buddhist
    assert not find_dates("15/01/2025")[0].buddhist


def test_ambiguous_numeric_order_resolved_by_country():
    hit = find_dates("03/04/2026")[0]
    assert hit.order == "either"
    assert resolve_order(hit, "US", None)[0] == date(2026, 3, 4)
    assert resolve_order(hit, "US", None, 0.99)[1] > resolve_order(hit, "US", None, 0.6)[1]
    assert resolve_order(hit, "GB", None)[0] == date(2026, 4, 3)
    value, factor = resolve_order(hit, None, None)
    assert factor < 0.7  # no locale evidence: shaky
    assert resolve_order(hit, None, "mdy")[0] == date(2026, 3, 4)


def test_unambiguous_orders():
    assert find_dates("04/25/2026")[0].order == "mdy"
    assert find_dates("25/04/2026")[0].order == "dmy"
    assert find_dates("03.04.2026")[0].order == "dmy"  # dots are never month-first


@pytest.mark.parametrize("text", ["1.234,56", "Total 12.00", "31/02/2026", "Tel 030-123-4567", "", "§§§"])
def test_no_false_dates(text):
    assert find_dates(text) == []
