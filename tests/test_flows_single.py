"""process_document / portal_upload flows in Prefect's local ephemeral mode (no server, no network)."""
from __future__ import annotations

import hashlib
import os

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from helpers import text_pdf
from pipeline import bulk, flows
from pipeline import process as P
from pipeline.db import session_factory
from pipeline.store import Claim, Document, Insured, Original, Result

CONTRACT_CODES = {"unreadable_file", "unsupported_type", "encrypted_pdf", "empty_document",
                  "too_large", "no_text_found", "internal_error"}


def invoice(n: int) -> bytes:
    return text_pdf(["Praxis Dr. Anna Muller", "Hauptstrasse 5, 10115 Berlin", f"Rechnung Nr. R-{n}",
                     "Datum: 12.03.2026", "Physiotherapie  45,00 EUR", "Summe: 45,00 EUR"])


def count(sessions, table) -> int:
    with sessions() as s:
        return s.scalar(select(func.count()).select_from(table))


@pytest.fixture(autouse=True)
def _ephemeral():
    from prefect.settings import PREFECT_API_URL

    assert not PREFECT_API_URL.value(), "these tests run Prefect without a server"


def test_process_document_file_then_same_bytes(sqlite_url, tmp_path):
    path = tmp_path / "a.pdf"
    path.write_bytes(invoice(1))
    r1 = flows.process_document(path=str(path), db_url=sqlite_url)
    r2 = flows.process_document(path=str(path), db_url=sqlite_url)
    assert r1["document_id"] == hashlib.sha256(path.read_bytes()).hexdigest() == r2["document_id"]
    assert r1["source"] == str(path) and r1["status"] in ("auto_processed", "needs_review")
    assert r1["fields"]["total_amount"] == "45.00" and r1["fields"]["currency"] == "EUR"
    sessions = session_factory(sqlite_url)
    assert (count(sessions, Document), count(sessions, Claim), count(sessions, Result)) == (1, 1, 1)
    r3 = flows.process_document(document_id=r1["document_id"], db_url=sqlite_url, force=True)
    assert r3["fields"] == r1["fields"] and r3["source"] == str(path)
    with sessions() as s:
        rows = s.scalars(select(Result).order_by(Result.id)).all()
        assert len(rows) == 2 and rows[1].changes == {}  # history kept, nothing changed
    assert count(sessions, Claim) == 1


def test_corrupt_file_fails_once_without_retries(sqlite_url, tmp_path, reads):
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\n" + os.urandom(2000))
    r = flows.process_document(path=str(path), db_url=sqlite_url)
    assert r["status"] == "failed" and r["error"]["code"] in CONTRACT_CODES
    assert len(reads) == 1
    sessions = session_factory(sqlite_url)
    assert (count(sessions, Document), count(sessions, Claim)) == (1, 1)


def test_missing_file_is_a_failed_result(sqlite_url, tmp_path):
    r = flows.process_document(path=str(tmp_path / "nope.pdf"), db_url=sqlite_url)
    assert r["status"] == "failed" and r["error"]["code"] == "file_not_found"


def test_transient_database_error_is_retried_once_saved_once(sqlite_url, tmp_path, monkeypatch):
    calls = []
    real = P.convert_eur

    def flaky(session, fields):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("SELECT rate", {}, Exception("server closed the connection"))
        return real(session, fields)

    monkeypatch.setattr(P, "convert_eur", flaky)
    path = tmp_path / "b.pdf"
    path.write_bytes(invoice(2))
    r = flows.process_document(path=str(path), db_url=sqlite_url)
    assert len(calls) == 2 and r["status"] != "failed"
    sessions = session_factory(sqlite_url)
    assert (count(sessions, Result), count(sessions, Claim)) == (1, 1)


def test_a_bug_is_not_retried(sqlite_url, tmp_path, monkeypatch):
    calls = []

    def buggy(session, fields):
        calls.append(1)
        raise ValueError("bug")

    monkeypatch.setattr(P, "convert_eur", buggy)
    path = tmp_path / "c.pdf"
    path.write_bytes(invoice(3))
    with pytest.raises(ValueError, match="bug"):
        flows.process_document(path=str(path), db_url=sqlite_url)
    assert len(calls) == 1
    sessions = session_factory(sqlite_url)
    assert (count(sessions, Original), count(sessions, Result), count(sessions, Claim)) == (1, 0, 0)


def test_transient_errors_are_recognised():
    assert bulk.transient(OperationalError("x", {}, Exception("connection refused")))
    assert bulk.transient(ConnectionResetError())
    assert not bulk.transient(ValueError("bug"))
    assert not bulk.transient(FileNotFoundError("gone"))


def test_portal_upload_keeps_the_claim_with_the_insured(sqlite_url):
    data = invoice(4)
    r = flows.portal_upload(data, "photo-of-invoice.pdf", "P-1001", sqlite_url)
    assert r["source"] == "photo-of-invoice.pdf"
    assert r["document_id"] == hashlib.sha256(data).hexdigest()
    # no profile stored for P-1001: reviewed, no coverage, but the claim is theirs
    assert "invalid_insured_file:insured_profile_missing" in r["review_reasons"]
    assert r["coverage"] is None and r["status"] == "needs_review"
    again = flows.portal_upload(data, "again.pdf", "P-1001", sqlite_url)
    assert again["document_id"] == r["document_id"]
    sessions = session_factory(sqlite_url)
    with sessions() as s:
        assert s.execute(select(Claim.document_id, Claim.insured_id)).all() == [
            (r["document_id"], "P-1001")]
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(sort="START_TIME_DESC", limit=5)
        params = next(run.parameters for run in runs if run.parameters.get("filename") == "again.pdf")
    assert params == {"document_id": r["document_id"], "filename": "again.pdf",
                      "insured_id": "P-1001", "db_url": sqlite_url}  # the bytes never go to Prefect


def test_stored_profile_is_used_for_the_insured(sqlite_url):
    from coverage.insured import load_insured

    person = load_insured("samples/insured/P-1001.yaml")
    sessions = session_factory(sqlite_url)
    with sessions.begin() as s:
        s.add(Insured(insured_id=person.insured_id, profile=person.raw))
    with sessions() as s:
        found = bulk.insured_for(s, person.insured_id)
        assert found.error_field is None and found.person == person
        assert bulk.insured_for(s, "P-404").error_field == "insured_profile_missing"
        assert bulk.insured_for(s, None) is None


def test_a_stored_original_kept_only_as_its_hash_is_a_clear_error(sqlite_url):
    """An original too big to keep has its hash and size in the store, not its bytes: processing
    it by id says so, instead of reading no bytes as an empty file."""
    sessions = session_factory(sqlite_url)
    digest = "ab" * 32
    with sessions.begin() as s:
        P.store_original(s, b"%PDF-1.4 huge", digest, size=P.MAX_STORED_BYTES + 1)
    with pytest.raises(LookupError, match=f"the original of document {digest} is not in the store"):
        flows.process_document(document_id=digest, db_url=sqlite_url)
    assert count(sessions, Result) == 0
