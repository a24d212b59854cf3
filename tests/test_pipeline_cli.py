"""The `claimflow process` contract: JSON lines only on stdout, codes, idempotency, the store."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from pipeline.db import session_factory
from pipeline.store import Claim, Document, Original, Result, ReviewItem
from tests.helpers import GERMAN_PHYSIO, text_pdf

RESULT_KEYS = {"document_id", "source", "status", "error", "review_reasons", "fields", "confidence",
               "eur", "coverage"}
FIELD_KEYS = {"invoice_date", "invoice_number", "provider_name", "patient_name", "country",
              "currency", "total_amount", "treatment_type", "setting", "line_items"}
CONF_KEYS = {"invoice_date", "total_amount", "currency", "country", "treatment_type", "overall"}


def run_cli(*args: str, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "CLAIMFLOW_AUDIT_RATE": "0", **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], capture_output=True,
                          text=True, env=env, timeout=300)


@pytest.fixture
def batch(tmp_path):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "empty.pdf").write_bytes(b"")
    (folder / "letter.pdf").write_bytes(b"PK\x03\x04 this is a zip, renamed .pdf")
    (folder / "sub" / "invoice.pdf").write_bytes(text_pdf(GERMAN_PHYSIO))
    (folder / "broken.pdf").write_bytes(text_pdf(GERMAN_PHYSIO)[:400])
    return folder


def check_shape(result: dict) -> None:
    assert set(result) == RESULT_KEYS
    assert set(result["fields"]) == FIELD_KEYS
    assert CONF_KEYS <= set(result["confidence"])
    assert result["status"] in ("auto_processed", "needs_review", "failed")
    for name, value in result["fields"].items():
        if value is None:
            assert result["confidence"].get(name, 0) == 0, name


def test_process_batch_prints_one_json_line_per_document_and_keeps_going(batch, sqlite_url):
    proc = run_cli("process", str(batch), "--db", sqlite_url, "--json")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    results = [json.loads(line) for line in lines]  # nothing but JSON on stdout
    assert len(results) == 4
    by_name = {os.path.basename(r["source"]): r for r in results}
    for r in results:
        check_shape(r)
    assert by_name["empty.pdf"]["error"]["code"] == "empty_document"
    assert by_name["letter.pdf"]["error"]["code"] == "unsupported_type"
    assert by_name["broken.pdf"]["error"]["code"] == "unreadable_file"
    good = by_name["invoice.pdf"]
    assert good["status"] in ("auto_processed", "needs_review")
    assert good["error"] is None
    assert good["fields"]["total_amount"] == "275.00"
    assert good["fields"]["currency"] == "EUR"
    assert good["fields"]["invoice_date"] == "2025-03-14"
    data = (batch / "sub" / "invoice.pdf").read_bytes()
    assert good["document_id"] == hashlib.sha256(data).hexdigest()
    # every original is kept, the bad ones included
    with session_factory(sqlite_url)() as s:
        assert s.scalar(select(func.count()).select_from(Original)) == 4
        kept = s.get(Original, hashlib.sha256(b"PK\x03\x04 this is a zip, renamed .pdf").hexdigest())
        assert kept.data.startswith(b"PK")


def test_same_bytes_twice_same_document_and_no_second_claim(tmp_path, sqlite_url):
    a = tmp_path / "a.pdf"
    b = tmp_path / "copy-of-a.pdf"
    a.write_bytes(text_pdf(GERMAN_PHYSIO))
    b.write_bytes(a.read_bytes())
    first = run_cli("process", str(a), "--db", sqlite_url, "--json")
    second = run_cli("process", str(b), str(a), "--db", sqlite_url, "--json")
    ids = {json.loads(x)["document_id"] for x in (first.stdout + second.stdout).splitlines()}
    assert len(ids) == 1
    with session_factory(sqlite_url)() as s:
        assert s.scalar(select(func.count()).select_from(Claim)) == 1
        assert s.scalar(select(func.count()).select_from(Document)) == 1
        assert s.scalar(select(func.count()).select_from(Result)) == 1  # served from the store


def test_force_reprocess_keeps_history(tmp_path, sqlite_url):
    a = tmp_path / "a.pdf"
    a.write_bytes(text_pdf(GERMAN_PHYSIO))
    run_cli("process", str(a), "--db", sqlite_url, "--json")
    run_cli("process", str(a), "--db", sqlite_url, "--json", "--force")
    with session_factory(sqlite_url)() as s:
        rows = s.scalars(select(Result).order_by(Result.id)).all()
        assert len(rows) == 2
        assert rows[0].changes is None and rows[1].changes == {}  # same bytes, same answer
        doc = s.scalars(select(Document)).one()
        assert doc.current_result_id == rows[1].id
        assert s.scalar(select(func.count()).select_from(Claim)) == 1


def test_missing_path_is_reported_not_fatal(tmp_path, sqlite_url):
    proc = run_cli("process", str(tmp_path / "nope.pdf"), "--db", sqlite_url, "--json")
    assert proc.returncode == 0
    (r,) = [json.loads(x) for x in proc.stdout.splitlines()]
    assert r["status"] == "failed" and r["error"]["code"] == "file_not_found"
    assert r["document_id"] is None


def test_needs_review_documents_are_queued(tmp_path, sqlite_url):
    unreadable_total = [l for l in GERMAN_PHYSIO if "Gesamt" not in l and "Therapie" not in l
                        and "KG" not in l]
    p = tmp_path / "no-total.pdf"
    p.write_bytes(text_pdf(unreadable_total))
    proc = run_cli("process", str(p), "--db", sqlite_url, "--json")
    (r,) = [json.loads(x) for x in proc.stdout.splitlines()]
    assert r["status"] == "needs_review"
    assert r["fields"]["total_amount"] is None and r["confidence"]["total_amount"] == 0
    assert "low_confidence:total_amount" in r["review_reasons"]
    with session_factory(sqlite_url)() as s:
        item = s.scalars(select(ReviewItem)).one()
        assert item.state == "open" and "low_confidence:total_amount" in item.reasons


@pytest.mark.postgres
def test_process_on_postgresql(tmp_path, pg_url):
    a = tmp_path / "a.pdf"
    a.write_bytes(text_pdf(GERMAN_PHYSIO))
    (tmp_path / "empty.png").write_bytes(b"")
    proc = run_cli("process", str(tmp_path), "--db", pg_url, "--json")
    assert proc.returncode == 0, proc.stderr
    results = [json.loads(x) for x in proc.stdout.splitlines()]
    assert sorted(r["status"] for r in results)[0] != "failed" or len(results) == 2
    again = run_cli("process", str(a), "--db", pg_url, "--json")
    assert json.loads(again.stdout)["document_id"] == hashlib.sha256(a.read_bytes()).hexdigest()
    with session_factory(pg_url)() as s:
        assert s.scalar(select(func.count()).select_from(Claim)) == 2
        assert s.scalar(select(func.count()).select_from(Original)) == 2


def test_bad_routing_config_stops_before_any_document(tmp_path, sqlite_url):
    bad = tmp_path / "cfg.json"
    bad.write_text('{"routing": {"thresholds": {"no_such_field": 0.5}}}')
    a = tmp_path / "a.pdf"
    a.write_bytes(text_pdf(GERMAN_PHYSIO))
    proc = run_cli("process", str(a), "--db", sqlite_url, "--json",
                   env_extra={"CLAIMFLOW_CONFIG": str(bad)})
    assert proc.returncode == 2 and proc.stdout == ""
    assert "no_such_field" in proc.stderr
