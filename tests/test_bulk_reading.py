"""Reprocessing starts from a document's stored reading when the same reader made it: no parsing
or OCR again, the same result; another reader version, a damaged reading or --reread reads again."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

import extractors.pages as pages_mod
from extractors.fields import extract_fields
from extractors.pages import read_pages
from extractors.reading import from_json, to_json, version_of
from helpers import text_pdf
from pipeline import bulk
from pipeline.db import session_factory
from pipeline.store import Result
from test_flows_bulk import make_dir, scan

ROOT = Path(__file__).resolve().parents[1]


def test_a_reading_comes_back_equal_from_json(tmp_path):
    docs = [text_pdf(["Clinique du Parc", "Facture F-77 du 03/02/2026",
                      "Consultation 60,00 EUR", "Radiographie 1 234,50 EUR", "Total 1 294,50 EUR"]),
            scan(3)]
    docs += [p.read_bytes() for p in sorted((ROOT / "samples" / "invoices").glob("*.pdf"))[:6]]
    for data in docs:
        ext = extract_fields(read_pages(data))
        back = from_json(json.loads(json.dumps(to_json(ext))))
        assert back == ext
    assert ext.total_amount.value is not None and ext.line_items  # a reading with values in it


def test_the_reader_version_follows_its_source_and_libraries(tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n")
    one = version_of(tmp_path, ["pdfplumber==1"])
    assert version_of(tmp_path, ["pdfplumber==1"]) == one
    assert version_of(tmp_path, ["pdfplumber==2"]) != one
    (tmp_path / "a.py").write_text("x = 2\n")
    assert version_of(tmp_path, ["pdfplumber==1"]) != one
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "b.py").write_text("")
    assert version_of(tmp_path, ["pdfplumber==1"]) != one


def _reads(monkeypatch) -> list[int]:
    calls: list[int] = []
    real = pages_mod.read_pages

    def counted(data, **kw):
        calls.append(len(data))
        return real(data, **kw)

    monkeypatch.setattr(pages_mod, "read_pages", counted)
    return calls


def _results(url: str) -> list[Result]:
    with session_factory(url)() as s:
        return list(s.scalars(select(Result).order_by(Result.id)))


def _again(url: str, **kw) -> dict:
    sessions = session_factory(url)
    sel = bulk.Selection(query="all", **kw)
    run_id, _ = bulk.open_run(sessions, sel)
    return bulk.drain(url, run_id, sel)


@pytest.fixture(params=["sqlite_url", pytest.param("pg_url", marks=pytest.mark.postgres)])
def processed(request, tmp_path):
    """A store (SQLite, PostgreSQL) with 3 text PDFs and 1 scan processed once."""
    url = request.getfixturevalue(request.param)
    folder = make_dir(tmp_path / "docs", 3, scans=1)
    sessions = session_factory(url)
    sel = bulk.Selection(paths=[str(folder)])
    run_id, _ = bulk.open_run(sessions, sel)
    first = bulk.drain(url, run_id, sel)
    assert (first["processed"], first["reused"]) == (4, 0)
    return url


def test_reprocessing_starts_from_the_stored_reading(processed, monkeypatch):
    reads = _reads(monkeypatch)
    out = _again(processed)
    assert (out["processed"], out["reused"], out["errors"]) == (4, 4, 0)
    assert reads == []  # nothing parsed or OCR-ed again
    rows = _results(processed)
    assert len(rows) == 8
    for before, after in zip(rows[:4], rows[4:]):
        assert after.document_id == before.document_id
        assert after.payload == before.payload  # the same result as reading it
        assert after.changes == {}
        assert after.evidence == before.evidence  # and the reading is kept for the next time


def test_reread_reads_every_document_again_with_the_same_result(processed, monkeypatch):
    reads = _reads(monkeypatch)
    out = _again(processed, reread=True)
    assert (out["processed"], out["reused"]) == (4, 0) and len(reads) == 4
    rows = _results(processed)
    assert [r.payload for r in rows[4:]] == [r.payload for r in rows[:4]]


def test_a_reading_by_another_reader_or_damaged_is_read_again(processed, monkeypatch):
    sessions = session_factory(processed)
    with sessions.begin() as s:
        rows = s.scalars(select(Result).order_by(Result.id)).all()
        ev = dict(rows[0].evidence)
        ev["reading"] = {**ev["reading"], "reader": "reader-0000000000000000"}
        rows[0].evidence = ev
        ev = dict(rows[1].evidence)
        extraction = dict(ev["reading"]["extraction"])
        del extraction["line_items"]
        ev["reading"] = {**ev["reading"], "extraction": extraction}
        rows[1].evidence = ev
        ev = dict(rows[2].evidence)
        del ev["reading"]  # a result from before readings were kept
        rows[2].evidence = ev
    reads = _reads(monkeypatch)
    out = _again(processed)
    assert (out["processed"], out["reused"]) == (4, 1) and len(reads) == 3
    rows = _results(processed)
    assert [r.payload for r in rows[4:]] == [r.payload for r in rows[:4]]


def test_a_new_reader_version_reads_again(processed, monkeypatch):
    import extractors.reading as reading

    monkeypatch.setattr(reading, "reader_version", lambda: "reader-ffffffffffffffff")
    reads = _reads(monkeypatch)
    out = _again(processed)
    assert (out["processed"], out["reused"]) == (4, 0) and len(reads) == 4
    assert all(r.evidence["reading"]["reader"] == "reader-ffffffffffffffff"
               for r in _results(processed)[4:])


def test_reread_is_its_own_run_and_the_default_keeps_old_fingerprints():
    plain = bulk.Selection(paths=["/x"])
    assert bulk.Selection(paths=["/x"], reread=True).fingerprint() != plain.fingerprint()
    import hashlib

    old = {"paths": ["/x"], "document_ids": [], "query": None, "force": True, "insured_file": None}
    assert plain.fingerprint() == hashlib.sha256(json.dumps(old, sort_keys=True).encode()).hexdigest()


def test_the_command_passes_reread_and_says_how_many_readings_it_reused(monkeypatch, tmp_path):
    from typer.testing import CliRunner

    import pipeline.cli_reprocess as cr
    from pipeline.cli import app

    seen: list[dict] = []
    summary = {"run_id": 1, "resumed": False, "done": 4, "total": 4, "auto_processed": 4,
               "needs_review": 0, "failed": 0, "error": 0, "pending": 0, "finished": True,
               "errors": [], "readings_reused": 3,
               "changed": {"decision": 0, "amount": 0, "status": 0, "fields": 0, "new": 0,
                           "unchanged": 4}}
    monkeypatch.setattr(cr, "run", lambda **kw: seen.append(kw) or summary)
    db = f"sqlite:///{tmp_path}/x.sqlite"
    out = CliRunner().invoke(app, ["reprocess", "--query", "all", "--db", db])
    assert out.exit_code == 0 and seen[-1]["reread"] is False
    assert "3 documents started from their stored reading" in out.output
    out = CliRunner().invoke(app, ["reprocess", "--query", "all", "--db", db, "--reread"])
    assert out.exit_code == 0 and seen[-1]["reread"] is True


def test_the_reader_version_names_tesseract_with_or_without_its_library(monkeypatch):
    from extractors import reading, tess_engine

    with_lib = reading._tesseract()
    assert with_lib[0].startswith("libtesseract 5") and any(".traineddata:" in p for p in with_lib)
    monkeypatch.setattr(tess_engine, "library_version", lambda: None)  # the command instead
    assert reading._tesseract()[0].startswith("tesseract 5")


def _statements(url: str, **kw) -> tuple[dict, list[str]]:
    from sqlalchemy import event

    seen: list[str] = []
    engine = session_factory(url).kw["bind"]

    def note(conn, cursor, statement, *args):
        seen.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", note)
    try:
        out = _again(url, **kw)
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return out, seen


def test_reprocessing_from_stored_readings_does_not_load_the_originals(processed):
    """A stored document is known by its id: with its stored reading, its bytes (a scan can be
    megabytes) are not loaded or hashed, and the write neither looks its original up nor inserts
    it (a stored document's original is kept already: foreign key)."""
    out, seen = _statements(processed)
    assert (out["processed"], out["reused"]) == (4, 4)
    assert [q for q in seen if "originals" in q] == []


def test_reading_again_loads_each_original_once(processed):
    out, seen = _statements(processed, reread=True)
    assert (out["processed"], out["reused"]) == (4, 0)
    touching = [q for q in seen if "originals" in q]
    assert len(touching) == 4 and all(q.startswith("SELECT originals.data") for q in touching)
    rows = _results(processed)
    assert [r.payload for r in rows[4:]] == [r.payload for r in rows[:4]]


def test_a_listed_document_that_is_not_stored_is_an_error_and_the_rest_goes_on(processed):
    from pipeline.store_bulk import BulkItem

    sessions = session_factory(processed)
    ids = [r.document_id for r in _results(processed)]
    sel = bulk.Selection(document_ids=["0" * 64] + ids)
    run_id, _ = bulk.open_run(sessions, sel)
    out = bulk.drain(processed, run_id, sel)
    assert (out["processed"], out["reused"], out["errors"]) == (4, 4, 1)
    with sessions() as s:
        errors = s.scalars(select(BulkItem.error).where(BulkItem.run_id == run_id,
                                                        BulkItem.state == "error")).all()
    assert errors == [f"LookupError: the original of document {'0' * 64} is not in the store"]
