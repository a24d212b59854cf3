"""The review queue and upload jobs on PostgreSQL: SKIP LOCKED claims, JSON filters, trigger."""
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from pipeline.db import session_factory
from pipeline.store import ReviewItem
from pipeline.store_review import Upload
from review import auth
from review import queue as Q
from review.demo import seed_item

pytestmark = pytest.mark.postgres
T = timedelta(minutes=30)


@pytest.fixture
def pg(pg_url):
    sessions = session_factory(pg_url)
    from argon2 import PasswordHasher

    auth._hasher, saved = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1), auth._hasher
    with sessions.begin() as s:
        users = [auth.add_user(s, n, r, "password-x") for n, r in
                 (("rita", "reviewer"), ("ruud", "reviewer"), ("sara", "supervisor"))]
        for u in users:
            s.expunge(u)
    auth._hasher = saved
    yield sessions, {u.name: u for u in users}


def seed(sessions, **kw):
    with sessions.begin() as s:
        return seed_item(s, image=False, **kw).id


def test_a_claimed_row_is_skipped_not_waited_for(pg):
    sessions, users = pg
    top = seed(sessions, n=1, fields={"total_amount": "4000.00"})
    low = seed(sessions, n=2, fields={"total_amount": "10.00"})
    a = sessions()
    b = sessions()
    try:
        assert Q.claim(a, None, users["rita"], T) == top  # locked, not yet committed
        started = time.monotonic()
        assert Q.claim(b, top, users["ruud"], T) is None  # SKIP LOCKED: no wait, no claim
        assert Q.claim(b, None, users["ruud"], T) == low  # the next free item instead
        assert time.monotonic() - started < 2
        b.commit()
        a.commit()
        assert Q.claim(b, top, users["ruud"], T) is None  # committed claim: still rita's
        b.commit()
    finally:
        a.close()
        b.close()
    with sessions() as s:
        assert (s.get(ReviewItem, top).claimed_by, s.get(ReviewItem, low).claimed_by) == ("rita", "ruud")


def test_concurrent_claims_never_share_an_item(pg):
    sessions, users = pg
    ids = [seed(sessions, n=i) for i in range(5)]
    got: list = []
    barrier = threading.Barrier(8)

    def reviewer(i):
        user = users["rita"] if i % 2 else users["ruud"]
        user = type(user)(id=user.id, name=f"{user.name}{i}", role="reviewer", password_hash="x")
        barrier.wait()
        with sessions.begin() as s:
            got.append(Q.claim(s, None, user, T))

    threads = [threading.Thread(target=reviewer, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    claimed = [g for g in got if g is not None]
    assert sorted(claimed) == sorted(ids)  # each item exactly once; three reviewers got none
    with sessions() as s:
        holders = {i.claimed_by for i in s.scalars(select(ReviewItem))}
    assert len(holders) == 5


def test_queue_filters_and_dashboard_on_postgres(pg):
    sessions, users = pg
    a = seed(sessions, n=1, fields={"country": "TH", "total_amount": "50.00"})
    b = seed(sessions, n=2, fields={"country": "DE", "total_amount": "700.00"}, audit_sample=True,
             reasons=["audit_sample"])
    with sessions() as s:
        assert Q.sync_facts(s) == 2 and Q.sync_facts(s) == 0
        rows, total = Q.list_items(s, Q.Filters(country="th"), users["rita"], T)
        assert [r.id for r in rows] == [a] and total == 1
        rows, _ = Q.list_items(s, Q.Filters(sort="amount"), users["rita"], T)
        assert [r.id for r in rows] == [b, a]
        rows, _ = Q.list_items(s, Q.Filters(reason="audit_sample"), users["rita"], T)
        assert [r.id for r in rows] == [b]
    with sessions.begin() as s:
        Q.claim(s, b, users["rita"], T)
        Q.decide(s, s.get(ReviewItem, b), users["rita"], "reject", {}, "duplicate invoice", T)
    with sessions() as s:
        stats = Q.dashboard(s)
    assert stats["audit_sample"] == {"reviewed": 1, "changed": 1, "error_rate": 1.0}
    assert stats["per_reviewer"][0][0] == "rita" and stats["per_reviewer"][0][2] == 1


def test_audit_is_append_only_in_postgres(pg):
    sessions, users = pg
    item = seed(sessions)
    with sessions.begin() as s:
        Q.claim(s, item, users["rita"], T)
    with sessions() as s:
        with pytest.raises(Exception, match="append-only"):
            s.execute(text("DELETE FROM review_audit"))


def test_upload_jobs_on_postgres(pg, pg_url):
    from fastapi.testclient import TestClient

    from review.app import Settings, create_app
    from review.demo import invoice_png

    seen = []
    app = create_app(pg_url, Settings(workers=2), processor=lambda d, f, i: seen.append(f) or {})
    with app.state.sessions.begin() as s:
        key = auth.new_api_key(s, "k", "P-1")
    with TestClient(app) as client:
        for i in range(6):
            data = invoice_png({"n": str(i)}, salt=str(i), size=(120, 80))[0]
            r = client.post("/api/v1/documents", files={"file": (f"f{i}.png", data)},
                            headers={"X-API-Key": key})
            assert r.status_code == 202
        end = time.monotonic() + 10
        while time.monotonic() < end:
            with app.state.sessions() as s:
                if all(u.state == "done" for u in s.scalars(select(Upload))):
                    break
            time.sleep(0.05)
        doc = r.json()["document_id"]
        with app.state.sessions.begin() as s:
            seed_item(s, n=99)  # another document's review item must not show up
        body = client.get(f"/api/v1/documents/{doc}", headers={"X-API-Key": key}).json()
        assert (body["upload_state"], body["result"], body["review"]) == ("done", None, None)
    assert sorted(seen) == [f"f{i}.png" for i in range(6)]
