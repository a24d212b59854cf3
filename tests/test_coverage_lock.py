"""Two invoices of one insured evaluated at the same time must not both use the last session.

A slowed-down usage read widens the race window: without the per-insured lock both evaluations
read "24 used" and both pay; with it the second waits and finds the limit reached.
"""
import threading
import time
from dataclasses import dataclass
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from coverage.insured import parse_insured
from pipeline import usage
from pipeline.coverage_service import evaluate_claim
from pipeline.db import session_factory
from pipeline.store import UsageEntry


@dataclass(frozen=True)
class Conv:
    amount: D


PERSON = parse_insured({"insured_id": "L-1", "product": "oom_international", "coverage": "plus",
                        "region": "A", "deductible_eur": "0", "insurance_year_start": "2026-01-01",
                        "policy_start": "2025-01-01", "date_of_birth": "1990-01-01"})


def physio(n):
    return {"invoice_date": "2026-05-04", "country": "DE", "currency": "EUR", "total_amount": "50.00",
            "treatment_type": "physiotherapy", "setting": "outpatient", "facts": {"sessions": n}}


def race(url, monkeypatch, locked=True):
    sessions = session_factory(url)
    with sessions.begin() as s:
        evaluate_claim(s, PERSON, physio(24), Conv(D("50.00")), "doc-0")
    real_load = usage.load

    def slow_load(*a, **kw):
        out = real_load(*a, **kw)
        time.sleep(0.4)
        return out
    monkeypatch.setattr(usage, "load", slow_load)
    if not locked:
        monkeypatch.setattr(usage, "lock", lambda *a, **kw: None)
    results, errors = {}, []

    def work(doc):
        try:
            with sessions.begin() as s:
                results[doc] = evaluate_claim(s, PERSON, physio(1), Conv(D("50.00")), doc)
        except Exception as e:  # pragma: no cover - shown in the assertion
            errors.append(e)
    threads = [threading.Thread(target=work, args=(d,)) for d in ("doc-1", "doc-2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    with sessions() as s:
        used = s.scalar(select(func.sum(UsageEntry.count)).where(
            UsageEntry.insured_id == "L-1", UsageEntry.category == "physiotherapy_group"))
    return sorted(r["decision"] for r in results.values()), used


@pytest.mark.postgres
def test_postgres_lock_serialises_one_insured(pg_url, monkeypatch):
    decisions, used = race(pg_url, monkeypatch)
    assert decisions == ["covered", "not_covered"] and used == 25


@pytest.mark.postgres
def test_postgres_race_without_lock_is_detected(pg_url, monkeypatch):
    """The test above would fail without the lock: both claims get the last session."""
    decisions, used = race(pg_url, monkeypatch, locked=False)
    assert decisions == ["covered", "covered"] and used == 26


def test_sqlite_write_lock_serialises_one_insured(sqlite_url, monkeypatch):
    decisions, used = race(sqlite_url, monkeypatch)
    assert decisions == ["covered", "not_covered"] and used == 25
