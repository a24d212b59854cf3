"""The online provider (forex-python's service): used only when configured, with a timeout,
and every rate it returns cached in fx_rates so a rerun is offline."""
from __future__ import annotations

import json
import shutil
import socket
from datetime import date
from decimal import Decimal

import pytest
import requests
from sqlalchemy import select

from pipeline import fx, fx_ecb, fx_online
from pipeline.db import session_factory
from pipeline.store import FxRate

# beyond the bundled ECB history (it ends 2026-10-30): a Sunday, whose rate is Friday's
SUNDAY, FRIDAY = date(2027, 3, 7), date(2027, 3, 5)


class FakeResponse:
    status_code = 200

    def __init__(self, body: dict):
        self.text = json.dumps(body)


@pytest.fixture
def factory(fx_template, tmp_path, monkeypatch):
    monkeypatch.delenv("CLAIMFLOW_FX_ONLINE", raising=False)
    fx.clear_cache()
    shutil.copy(fx_template, tmp_path / "t.sqlite")
    yield session_factory(f"sqlite:///{tmp_path}/t.sqlite")
    fx.clear_cache()


@pytest.fixture
def calls(monkeypatch):
    seen = []

    def fake_get(url, params=None, **kwargs):
        seen.append((url, params, kwargs))
        return FakeResponse({"base": "EUR", "date": FRIDAY.isoformat(),
                             "rates": {"USD": 1.0915, "KES": 141.27, "JPY": 160.1}})

    monkeypatch.setattr(requests, "get", fake_get)
    return seen


def _no_network(monkeypatch):
    touched = []

    def refuse(*args, **kwargs):
        touched.append(args)
        raise requests.exceptions.ConnectionError("offline")

    monkeypatch.setattr(requests, "get", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    return touched


def test_online_rate_is_fetched_with_timeout_and_cached(factory, calls, monkeypatch):
    monkeypatch.setenv("CLAIMFLOW_FX_ONLINE", "1")
    with factory() as s:
        c = fx.convert(s, Decimal("109.15"), "USD", SUNDAY)
        assert c.as_contract() == {"amount": "100.00", "rate": "1.0915",
                                   "rate_date": FRIDAY.isoformat(), "source": "forex-python"}
        k = fx.convert(s, Decimal("14127"), "KES", SUNDAY)
        assert (k.amount, k.rate, k.source) == (Decimal("100.00"), Decimal("141.27"),
                                                "forex-python")
        # the in-process USD series, loaded before the fetch, now holds the online rate too
        assert fx.convert(s, Decimal("109.15"), "USD", SUNDAY) == c
        # a currency the day's answer lacks is told from that answer, not fetched again
        with pytest.raises(fx.NoRate, match="no THB rate"):
            fx.convert(s, Decimal("100"), "THB", SUNDAY)
    assert len(calls) == 1  # one fetch per day, all its rates kept
    url, params, kwargs = calls[0]
    assert url.endswith(SUNDAY.isoformat()) and params["base"] == "EUR"
    assert 0 < kwargs["timeout"] <= 10
    with factory() as s:
        rows = dict(s.execute(select(FxRate.currency, FxRate.rate).where(
            FxRate.source == "forex-python", FxRate.day == FRIDAY)).all())
    assert rows == {"USD": "1.0915", "KES": "141.27", "JPY": "160.1"}

    # rerun in a fresh process state, offline and not configured: served from fx_rates
    fx.clear_cache()
    monkeypatch.delenv("CLAIMFLOW_FX_ONLINE")
    touched = _no_network(monkeypatch)
    with factory() as s:
        again = fx.convert(s, Decimal("109.15"), "USD", SUNDAY)
        assert again == c
        peg = fx.convert(s, Decimal("100"), "AED", SUNDAY)  # peg anchored on the cached USD rate
        assert peg.rate == Decimal("4.008534") and peg.rate_date == FRIDAY
        with pytest.raises(fx.NoRate):  # Monday: the cached Friday rate is not enough
            fx.convert(s, Decimal("1"), "USD", date(2027, 3, 8))
    assert touched == []


def test_online_not_used_when_ecb_has_the_rate(factory, calls):
    with factory() as s:
        c = fx.convert(s, Decimal("10"), "USD", date(2024, 3, 8), online=True)
    assert c.source == "ECB" and calls == []


def test_online_not_used_unless_configured(factory, calls):
    with factory() as s:
        with pytest.raises(fx.NoRate) as err:
            fx.convert(s, Decimal("10"), "USD", SUNDAY)
    assert calls == [] and "not configured" in err.value.detail


def test_unreachable_online_provider_gives_no_rate(factory, monkeypatch):
    _no_network(monkeypatch)
    with factory() as s:
        with pytest.raises(fx.NoRate) as err:
            fx.convert(s, Decimal("10"), "KES", date(2024, 3, 8), online=True)
    assert err.value.reason == "no_rate:KES" and "online provider failed" in err.value.detail


def test_real_forex_python_url_fails_fast_offline(monkeypatch):
    """No mock of requests: with sockets refused, the real call fails at once as OnlineError."""
    touched = []

    def refuse(self, *args):
        touched.append(args)
        raise ConnectionRefusedError("offline")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    with pytest.raises(fx_online.OnlineError) as err:
        fx_online.fetch(date(2024, 3, 8))
    assert "ConnectionError" in str(err.value)


def test_answer_dated_after_the_invoice_is_refused(monkeypatch):
    monkeypatch.setattr(requests, "get", lambda *a, **k: FakeResponse(
        {"base": "EUR", "date": "2027-03-09", "rates": {"USD": 1.1}}))
    with pytest.raises(fx_online.OnlineError):
        fx_online.fetch(date(2027, 3, 8))


def test_enabled_flag_and_env(monkeypatch):
    monkeypatch.delenv("CLAIMFLOW_FX_ONLINE", raising=False)
    assert not fx_online.enabled()
    assert fx_online.enabled(True)
    monkeypatch.setenv("CLAIMFLOW_FX_ONLINE", "1")
    assert fx_online.enabled() and not fx_online.enabled(False)
