"""Upload API: keys and insured scoping, dedup, limits, sniffing, background jobs, restarts."""
import threading
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from pipeline.process import save
from pipeline.store_review import Upload
from review import auth
from review.app import Settings, create_app
from review.demo import invoice_png, migrated_sqlite

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png(tag: str) -> bytes:
    return invoice_png({"total": tag}, salt=tag, size=(200, 120))[0]


class Recorder:
    """A processor that writes a needs_review result like the pipeline does (no OCR)."""

    def __init__(self, sessions, gate: threading.Event | None = None):
        self.sessions, self.gate, self.calls = sessions, gate, []

    def __call__(self, data, filename, insured_id):
        import hashlib

        if self.gate is not None:
            self.gate.wait(10)
        self.calls.append((filename, insured_id))
        doc = hashlib.sha256(data).hexdigest()
        from pipeline.result import empty_fields

        fields = {**empty_fields(), "total_amount": "10.00", "currency": "EUR"}
        result = {"document_id": doc, "source": filename, "status": "needs_review", "error": None,
                  "review_reasons": ["low_confidence:country"], "fields": fields,
                  "confidence": {"overall": 0.5}, "eur": None, "coverage": None}
        with self.sessions.begin() as s:
            save(s, result, {}, None, {"pipeline_version": "t", "model_version": None,
                                       "rules_version": None})
        return result


def uploads(app) -> dict:
    with app.state.sessions() as s:
        return {u.document_id: u.state for u in s.scalars(select(Upload))}


def wait_for(pred, timeout=5.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.02)
    return False


@pytest.fixture
def sqlite_url(tmp_path):
    return migrated_sqlite(tmp_path)


@pytest.fixture
def env(sqlite_url):
    settings = Settings(max_upload_bytes=50_000, workers=1)
    app = create_app(sqlite_url, settings, processor=lambda *a: rec(*a))
    rec = Recorder(app.state.sessions)
    with app.state.sessions.begin() as s:
        keys = {"p1": auth.new_api_key(s, "p1", "P-1"), "p2": auth.new_api_key(s, "p2", "P-2"),
                "portal": auth.new_api_key(s, "portal", None)}
    with TestClient(app) as client:
        yield app, client, keys, rec


def up(client, key, data, name="invoice.pdf", insured=None):
    form = {"insured_id": insured} if insured else {}
    return client.post("/api/v1/documents", files={"file": (name, data, "application/octet-stream")},
                       data=form, headers={"X-API-Key": key} if key else {})


def test_upload_accepted_then_duplicate_returns_existing(env):
    app, client, keys, rec = env
    r = up(client, keys["p1"], png("a"))
    assert r.status_code == 202
    body = r.json()
    assert len(body["document_id"]) == 64 and body["duplicate"] is False
    assert r.headers["location"] == body["status_url"] == f"/api/v1/documents/{body['document_id']}"
    again = up(client, keys["p1"], png("a"), name="other-name.png")
    assert again.status_code == 200
    assert again.json()["document_id"] == body["document_id"] and again.json()["duplicate"] is True
    with app.state.sessions() as s:
        assert len(s.scalars(select(Upload)).all()) == 1


def test_same_bytes_other_insured_is_a_new_upload(env):
    _, client, keys, _ = env
    a = up(client, keys["portal"], png("b"), insured="P-7")
    b = up(client, keys["portal"], png("b"), insured="P-8")
    assert (a.status_code, b.status_code) == (202, 202)
    assert a.json()["document_id"] == b.json()["document_id"]


def test_status_shows_result_and_review_state_after_processing(env):
    _, client, keys, rec = env
    doc = up(client, keys["p1"], png("c")).json()["document_id"]
    get = lambda: client.get(f"/api/v1/documents/{doc}", headers={"X-API-Key": keys["p1"]}).json()
    assert wait_for(lambda: get()["upload_state"] == "done")
    body = get()
    assert body["result"]["status"] == "needs_review"
    assert body["result"]["fields"]["total_amount"] == "10.00"
    assert body["review"]["state"] == "open"
    assert body["review"]["reasons"] == ["low_confidence:country"]
    assert rec.calls == [("invoice.pdf", "P-1")]


def test_no_or_unknown_key_is_401(env):
    _, client, keys, _ = env
    assert up(client, None, png("d")).status_code == 401
    r = up(client, "cf_wrong", png("d"))
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
    doc = up(client, keys["p1"], png("d")).json()["document_id"]
    assert client.get(f"/api/v1/documents/{doc}").status_code == 401


def test_insured_scoping(env):
    _, client, keys, _ = env
    doc = up(client, keys["p1"], png("e")).json()["document_id"]
    url = f"/api/v1/documents/{doc}"
    assert client.get(url, headers={"X-API-Key": keys["p1"]}).status_code == 200
    # another insured person's key: as if the document did not exist
    r = client.get(url, headers={"X-API-Key": keys["p2"]})
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    # a per-insured key cannot act for someone else
    r = client.get(url, headers={"X-API-Key": keys["p1"], "X-Insured-Id": "P-2"})
    assert r.status_code == 403
    assert up(client, keys["p1"], png("f"), insured="P-2").status_code == 403
    # the portal key sees a document only for the insured person that uploaded it
    assert client.get(url, headers={"X-API-Key": keys["portal"], "X-Insured-Id": "P-2"}).status_code == 404
    assert client.get(url, headers={"X-API-Key": keys["portal"], "X-Insured-Id": "P-1"}).status_code == 200
    assert client.get(url, headers={"X-API-Key": keys["portal"]}).status_code == 422


def test_portal_key_must_name_the_insured(env):
    _, client, keys, _ = env
    r = up(client, keys["portal"], png("g"))
    assert r.status_code == 422 and r.json()["error"]["code"] == "missing_insured_id"
    r = up(client, keys["portal"], png("g"), insured="bad id!")
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_insured_id"


def test_type_is_sniffed_from_content_not_name(env):
    _, client, keys, _ = env
    r = up(client, keys["p1"], b"hello, this is text", name="invoice.pdf")
    assert r.status_code == 415 and r.json()["error"]["code"] == "unsupported_type"
    assert up(client, keys["p1"], PDF, name="notes.txt").status_code == 202
    r = up(client, keys["p1"], b"PK\x03\x04" + b"\0" * 50, name="scan.png")
    assert r.status_code == 415 and "ZIP" in r.json()["error"]["message"]


def test_size_limit_and_empty_file(env):
    _, client, keys, _ = env
    r = up(client, keys["p1"], PDF + b"0" * 60_000)
    assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"
    r = up(client, keys["p1"], PDF + b"0" * 2_000_000)  # refused from Content-Length alone
    assert r.status_code == 413
    r = up(client, keys["p1"], b"")
    assert r.status_code == 400 and r.json()["error"]["code"] == "empty_file"


def test_missing_file_is_a_json_422(env):
    _, client, keys, _ = env
    r = client.post("/api/v1/documents", data={"insured_id": "P-1"}, headers={"X-API-Key": keys["p1"]})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request"
    assert "file" in r.json()["error"]["message"]


def test_upload_answers_before_processing_and_pool_is_bounded(sqlite_url):
    gate = threading.Event()
    app = create_app(sqlite_url, Settings(workers=1), processor=lambda *a: rec(*a))
    rec = Recorder(app.state.sessions, gate)
    with app.state.sessions.begin() as s:
        key = auth.new_api_key(s, "k", "P-1")
    with TestClient(app) as client:
        a = up(client, key, png("h1"))
        b = up(client, key, png("h2"))
        assert (a.status_code, b.status_code) == (202, 202)  # answered while the worker waits
        states = lambda: uploads(app)
        assert wait_for(lambda: sorted(states().values()) == ["queued", "running"])
        gate.set()
        assert wait_for(lambda: set(states().values()) == {"done"})
    assert len(rec.calls) == 2


def test_backlog_limit_answers_503(sqlite_url):
    app = create_app(sqlite_url, Settings(workers=0, max_backlog=1), processor=lambda *a: {})
    with app.state.sessions.begin() as s:
        key = auth.new_api_key(s, "k", "P-1")
    with TestClient(app) as client:
        assert up(client, key, png("i1")).status_code == 202
        r = up(client, key, png("i2"))
        assert r.status_code == 503 and r.headers["retry-after"] == "30"


def test_unprocessed_uploads_are_picked_up_at_startup(sqlite_url):
    first = create_app(sqlite_url, Settings(workers=0), processor=lambda *a: {})
    with first.state.sessions.begin() as s:
        key = auth.new_api_key(s, "k", "P-1")
    with TestClient(first) as client:  # no workers: stored, never processed ("crash")
        ids = [up(client, key, png(f"j{i}")).json()["document_id"] for i in range(3)]
    with first.state.sessions.begin() as s:  # one was mid-run when the process died
        s.scalars(select(Upload)).first().state = "running"
    second = create_app(sqlite_url, Settings(workers=2), processor=lambda *a: rec(*a))
    rec = Recorder(second.state.sessions)
    with TestClient(second):
        done = lambda: {d for d, state in uploads(second).items() if state == "done"}
        assert wait_for(lambda: done() == set(ids))
    assert len(rec.calls) == 3


def test_processor_error_is_retried_then_recorded_on_the_upload(sqlite_url):
    calls = []

    def boom(*_a):
        calls.append(1)
        raise RuntimeError("disk on fire")

    app = create_app(sqlite_url, Settings(workers=1), processor=boom)
    with app.state.sessions.begin() as s:
        key = auth.new_api_key(s, "k", "P-1")
    with TestClient(app) as client:
        doc = up(client, key, png("k")).json()["document_id"]
        get = lambda: client.get(f"/api/v1/documents/{doc}", headers={"X-API-Key": key}).json()
        assert wait_for(lambda: get()["upload_state"] == "failed")
        assert "disk on fire" in get()["upload_error"]
    assert len(calls) == 3


def test_default_processor_uses_the_portal_upload_flow(monkeypatch, sqlite_url):
    import sys
    import types

    from review.worker import default_processor

    seen = []
    fake = types.ModuleType("pipeline.flows")  # the real one imports Prefect (seconds)
    fake.portal_upload = lambda data, name, insured, db: seen.append((data, name, insured, db)) or {}
    monkeypatch.setitem(sys.modules, "pipeline.flows", fake)
    default_processor(sqlite_url)(b"x", "a.pdf", "P-1")
    assert seen == [(b"x", "a.pdf", "P-1", sqlite_url)]


def test_status_shows_the_reviewers_decision(env):
    from datetime import timedelta

    from pipeline.store import ReviewItem
    from review import queue as Q

    app, client, keys, _ = env
    doc = up(client, keys["p1"], png("m")).json()["document_id"]
    get = lambda: client.get(f"/api/v1/documents/{doc}", headers={"X-API-Key": keys["p1"]}).json()
    assert wait_for(lambda: get()["upload_state"] == "done")
    with app.state.sessions.begin() as s:
        user = auth.add_user(s, "rita", "reviewer", "password-r")
        item = s.scalar(select(ReviewItem).where(ReviewItem.document_id == doc))
        Q.claim(s, item.id, user, timedelta(minutes=5))
        Q.decide(s, item, user, "approve", {"country": "DE", "invoice_date": "2026-03-01"}, "",
                 timedelta(minutes=5))
    review = get()["review"]
    assert (review["state"], review["decision"], review["reviewer"]) == ("done", "approved", "rita")
    assert review["fields"]["country"] == "DE" and review["eur"]["amount"] == "10.00"


def test_coverage_of_another_insured_person_is_not_shown(env):
    from pipeline.store import Document

    app, client, keys, _ = env
    doc = up(client, keys["portal"], png("n"), insured="P-1").json()["document_id"]
    up(client, keys["portal"], png("n"), insured="P-2")
    get = lambda who: client.get(f"/api/v1/documents/{doc}", headers={
        "X-API-Key": keys["portal"], "X-Insured-Id": who}).json()
    assert wait_for(lambda: get("P-1")["upload_state"] == get("P-2")["upload_state"] == "done")
    with app.state.sessions.begin() as s:
        d = s.get(Document, doc)
        d.insured_id = "P-1"
        from pipeline.store import Result

        r = s.get(Result, d.current_result_id)
        r.payload = {**r.payload, "coverage": {"decision": "covered", "reimbursed_eur": "10.00"}}
    assert get("P-1")["result"]["coverage"]["decision"] == "covered"
    assert get("P-2")["result"]["coverage"] is None
