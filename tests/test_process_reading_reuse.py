"""One document processed again (`claimflow process --force`, a newer model or rules version, the
process-document flow) starts from the reading its current result kept when this same reader
made it: no parsing or OCR again, unless asked to read again."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from helpers import text_pdf
from pipeline import flows
from pipeline import process as P
from pipeline.db import session_factory
from pipeline.store import Claim, Result
from test_pipeline_cli import GERMAN_PHYSIO, run_cli


def results(sessions) -> list[Result]:
    with sessions() as s:
        return s.scalars(select(Result).order_by(Result.id)).all()


def test_forced_again_starts_from_the_stored_reading(sqlite_url, reads):
    sessions = session_factory(sqlite_url)
    data = text_pdf(GERMAN_PHYSIO)
    first = P.process_bytes(data, "a.pdf", sessions)
    stats: dict = {}
    again = P.process_bytes(data, "a.pdf", sessions, force=True, stats=stats)
    assert len(reads) == 1 and stats == {"reused": 1}
    assert again == first  # the same reading gives the same answer
    rows = results(sessions)
    assert len(rows) == 2 and rows[1].changes == {}
    assert rows[1].evidence["reading"] == rows[0].evidence["reading"]  # kept for the next time
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Claim)) == 1


def test_reread_reads_again(sqlite_url, reads):
    sessions = session_factory(sqlite_url)
    data = text_pdf(GERMAN_PHYSIO)
    P.process_bytes(data, "a.pdf", sessions)
    stats: dict = {}
    P.process_bytes(data, "a.pdf", sessions, force=True, reread=True, stats=stats)
    assert len(reads) == 2 and stats == {}


def test_newer_versions_start_from_the_stored_reading(sqlite_url, reads, monkeypatch):
    sessions = session_factory(sqlite_url)
    data = text_pdf(GERMAN_PHYSIO)
    P.process_bytes(data, "a.pdf", sessions)
    real = P.current_versions
    monkeypatch.setattr(P, "current_versions", lambda insured: {**real(insured), "rules_version": "next"})
    again = P.process_bytes(data, "a.pdf", sessions)  # not forced: the stored result is out of date
    assert len(reads) == 1
    rows = results(sessions)
    assert [r.rules_version for r in rows][-1] == "next" and again["fields"] == rows[0].payload["fields"]


def test_up_to_date_result_is_returned_without_work(sqlite_url, reads, monkeypatch):
    sessions = session_factory(sqlite_url)
    data = text_pdf(GERMAN_PHYSIO)
    P.process_bytes(data, "a.pdf", sessions)
    monkeypatch.setattr(P, "stored_reading", lambda evidence: pytest.fail("reading loaded for nothing"))
    P.process_bytes(data, "a.pdf", sessions)
    assert len(reads) == 1 and len(results(sessions)) == 1


def test_another_reader_version_reads_again(sqlite_url, reads, monkeypatch):
    import extractors.reading

    sessions = session_factory(sqlite_url)
    data = text_pdf(GERMAN_PHYSIO)
    P.process_bytes(data, "a.pdf", sessions)
    monkeypatch.setattr(extractors.reading, "reader_version", lambda: "reader-next")
    stats: dict = {}
    P.process_bytes(data, "a.pdf", sessions, force=True, stats=stats)
    assert len(reads) == 2 and stats == {}
    assert results(sessions)[-1].evidence["reading"]["reader"] == "reader-next"


def test_a_failed_document_is_read_again(sqlite_url, reads):
    sessions = session_factory(sqlite_url)
    data = text_pdf(GERMAN_PHYSIO)[:400]  # cut short: unreadable
    first = P.process_bytes(data, "broken.pdf", sessions)
    again = P.process_bytes(data, "broken.pdf", sessions, force=True)
    assert first["status"] == again["status"] == "failed" and len(reads) == 2


def test_flow_forced_again_starts_from_the_stored_reading(sqlite_url, tmp_path, reads):
    path = tmp_path / "a.pdf"
    path.write_bytes(text_pdf(GERMAN_PHYSIO))
    first = flows.process_document(path=str(path), db_url=sqlite_url)
    again = flows.process_document(path=str(path), db_url=sqlite_url, force=True)
    assert len(reads) == 1 and again == first
    flows.process_document(path=str(path), db_url=sqlite_url, force=True, reread=True)
    assert len(reads) == 2
    assert len(results(session_factory(sqlite_url))) == 3


def test_stored_document_with_a_reading_is_not_loaded_again(sqlite_url, tmp_path, reads,
                                                            monkeypatch):
    path = tmp_path / "a.pdf"
    path.write_bytes(text_pdf(GERMAN_PHYSIO))
    first = flows.process_document(path=str(path), db_url=sqlite_url)
    loaded = []
    real = flows.read_stored.fn
    monkeypatch.setattr(flows, "read_stored", lambda *a: loaded.append(1) or real(*a))
    doc = first["document_id"]
    again = flows.process_document(document_id=doc, db_url=sqlite_url, force=True)
    upload = flows.portal_upload_flow(doc, "a.pdf", db_url=sqlite_url)
    assert again == first and upload["status"] == first["status"]
    assert loaded == [] and len(reads) == 1  # neither the bytes nor a reading of them again
    flows.process_document(document_id=doc, db_url=sqlite_url, force=True, reread=True)
    assert loaded == [1] and len(reads) == 2
    with pytest.raises(LookupError):
        flows.process_document(document_id="0" * 64, db_url=sqlite_url)


def test_cli_says_how_many_started_from_their_reading(tmp_path, sqlite_url):
    a = tmp_path / "a.pdf"
    a.write_bytes(text_pdf(GERMAN_PHYSIO))
    first = run_cli("process", str(a), "--db", sqlite_url, "--json")
    assert "stored reading" not in first.stderr
    forced = run_cli("process", str(a), "--db", sqlite_url, "--json", "--force")
    assert forced.returncode == 0 and "1 started from their stored reading" in forced.stderr
    assert forced.stdout == first.stdout
    reread = run_cli("process", str(a), "--db", sqlite_url, "--json", "--force", "--reread")
    assert reread.returncode == 0 and "stored reading" not in reread.stderr
    assert reread.stdout == first.stdout
