"""The treatment type is read from the largest line item: when the items do not add up to the
total, its confidence drops below the routing threshold and the reviewer is told to check it."""
from __future__ import annotations

from helpers import text_pdf
from pipeline import process as P
from pipeline.db import session_factory

LINES = ["Singapore General Hospital", "10 Novena Terrace, Singapore 329563", "Invoice date: 10/03/2025",
         "Item                            Charges",
         "Room & board - private room      539.00",
         "Cardiology consultation          536.07",
         "MRI knee                         431.00",
         "Total Amount                   1,506.07 SGD",
         "Insurance covers                -753.04",
         "Patient share                    753.03"]


def run(lines, sqlite_url, monkeypatch):
    monkeypatch.setenv("CLAIMFLOW_AUDIT_RATE", "0")
    return P.process_bytes(text_pdf(lines), "a.pdf", session_factory(sqlite_url))


def test_items_that_add_up_leave_the_treatment_confidence(sqlite_url, monkeypatch):
    r = run(LINES, sqlite_url, monkeypatch)
    assert "line_items_mismatch" not in r["review_reasons"]
    assert r["confidence"]["treatment_type"] > P.ITEMS_DOUBT_CAP


def test_items_that_do_not_add_up_put_the_treatment_type_in_doubt(sqlite_url, monkeypatch):
    # "1 536.07" read as "153607": the consultation becomes the largest line
    r = run([x.replace("536.07", "153607") for x in LINES], sqlite_url, monkeypatch)
    assert r["fields"]["total_amount"] == "1506.07"
    assert "line_items_mismatch" in r["review_reasons"]
    assert r["confidence"]["treatment_type"] <= P.ITEMS_DOUBT_CAP
    assert "low_confidence:treatment_type" in r["review_reasons"]
