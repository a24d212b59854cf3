"""Reviewer pages: login, sessions, CSRF, roles, claims, decisions, audit trail, dashboard."""
import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from pipeline.store import ReviewItem
from pipeline.store_review import (
    AppendOnly, AuditEntry, Correction, ReviewOutcome, ReviewSession, ReviewUser,
)
from review import auth
from review.app import Settings, create_app
from review.demo import migrated_sqlite, seed_item


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch):
    """Still argon2, with tiny costs: the default costs ~0.5 s per hash on a busy CI machine."""
    from argon2 import PasswordHasher

    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def app(tmp_path):
    app = create_app(migrated_sqlite(tmp_path), Settings(workers=0), processor=lambda *a: {})
    with app.state.sessions.begin() as s:
        auth.add_user(s, "rita", "reviewer", "password-r")
        auth.add_user(s, "ruud", "reviewer", "password-r2")
        auth.add_user(s, "sara", "supervisor", "password-s")
    return app


def login(app, name, password):
    client = TestClient(app)
    page = client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    r = client.post("/login", data={"name": name, "password": password, "csrf": token,
                                    "next": "/queue"}, follow_redirects=False)
    assert r.status_code == 303
    return client, r


def csrf_of(client, path="/queue"):
    return re.search(r'name="csrf" value="([^"]+)"', client.get(path).text).group(1)


def seed(app, **kw):
    with app.state.sessions.begin() as s:
        return seed_item(s, **kw).id


@pytest.mark.parametrize("path", ["/queue", "/items/1", "/dashboard", "/items/1/pages/0.png", "/"])
def test_pages_redirect_to_login_without_session(app, path):
    r = TestClient(app).get(path, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/login")


def test_login_sets_httponly_samesite_cookie_and_hashes_with_argon2(app):
    client, r = login(app, "rita", "password-r")
    cookie = [c for c in r.headers.get_list("set-cookie") if c.startswith("cf_session=")][0]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert r.headers["location"] == "/queue"
    assert client.get("/queue").status_code == 200
    with app.state.sessions() as s:
        user = s.scalar(select(ReviewUser).where(ReviewUser.name == "rita"))
        assert user.password_hash.startswith("$argon2")
        token = client.cookies.get("cf_session")
        assert s.get(ReviewSession, token) is None  # only the hash is stored
        assert s.get(ReviewSession, auth.sha256(token)) is not None


def test_wrong_password_and_missing_login_csrf_are_refused(app):
    client, r = login(app, "rita", "wrong-password")
    assert "error=" in r.headers["location"]
    assert client.get("/queue", follow_redirects=False).status_code == 303
    bare = TestClient(app)
    r = bare.post("/login", data={"name": "rita", "password": "password-r", "csrf": "x"},
                  follow_redirects=False)
    assert "error=" in r.headers["location"] and "cf_session" not in r.headers.get("set-cookie", "")


def test_open_redirect_is_not_followed(app):
    client = TestClient(app)
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    r = client.post("/login", data={"name": "rita", "password": "password-r", "csrf": token,
                                    "next": "//evil.example/x"}, follow_redirects=False)
    assert r.headers["location"] == "/queue"


def test_forms_need_the_session_csrf_token(app):
    item = seed(app)
    client, _ = login(app, "rita", "password-r")
    r = client.post(f"/items/{item}/claim", data={}, follow_redirects=False)
    assert r.status_code == 403
    r = client.post(f"/items/{item}/claim", data={"csrf": "forged"}, follow_redirects=False)
    assert r.status_code == 403
    with app.state.sessions() as s:
        assert s.get(ReviewItem, item).state == "open"
    r = client.post(f"/items/{item}/claim", data={"csrf": csrf_of(client)}, follow_redirects=False)
    assert r.status_code == 303
    with app.state.sessions() as s:
        assert s.get(ReviewItem, item).claimed_by == "rita"


def test_reviewer_cannot_open_supervisor_pages(app):
    client, _ = login(app, "rita", "password-r")
    assert client.get("/dashboard").status_code == 403
    sup, _ = login(app, "sara", "password-s")
    assert sup.get("/dashboard").status_code == 200


def test_logout_ends_the_session(app):
    client, _ = login(app, "rita", "password-r")
    token = csrf_of(client)
    client.post("/logout", data={"csrf": token}, follow_redirects=False)
    client.cookies.clear()
    assert client.get("/queue", follow_redirects=False).status_code == 303


def test_queue_default_order_filters_and_sort(app):
    a = seed(app, n=1, fields={"total_amount": "100.00", "country": "DE"})
    b = seed(app, n=2, fields={"total_amount": "5000.00", "country": "TH",
                               "treatment_type": "dental"}, reasons=["low_confidence:country"])
    c = seed(app, n=3, fields={"total_amount": "900.00", "country": "FR"})
    client, _ = login(app, "rita", "password-r")
    ids = lambda q="": [int(x) for x in re.findall(r'<tr data-item="(\d+)"', client.get("/queue" + q).text)]
    assert ids() == [b, c, a]  # amount at stake x uncertainty
    assert ids("?country=th") == [b]
    assert ids("?treatment_type=dental") == [b]
    assert ids("?reason=low_confidence:total_amount") == [c, a]
    assert ids("?sort=age") == [a, b, c]
    assert ids("?sort=amount") == [b, c, a]


def test_claim_next_and_two_reviewers_never_hold_one_item(app):
    first = seed(app, n=1, fields={"total_amount": "4000.00"})
    second = seed(app, n=2, fields={"total_amount": "10.00"})
    rita, _ = login(app, "rita", "password-r")
    ruud, _ = login(app, "ruud", "password-r2")
    r = rita.post("/queue/claim-next", data={"csrf": csrf_of(rita)}, follow_redirects=False)
    assert r.headers["location"] == f"/items/{first}"
    r = ruud.post("/queue/claim-next", data={"csrf": csrf_of(ruud)}, follow_redirects=False)
    assert r.headers["location"] == f"/items/{second}"
    r = ruud.post(f"/items/{first}/claim", data={"csrf": csrf_of(ruud)}, follow_redirects=False)
    assert "error=" in r.headers["location"]
    with app.state.sessions() as s:
        assert s.get(ReviewItem, first).claimed_by == "rita"
    # ruud cannot act on rita's item either
    r = ruud.post(f"/items/{first}/action", data={"csrf": csrf_of(ruud), "action": "approve"},
                  follow_redirects=False)
    assert "claim" in r.headers["location"]


def test_claim_expires_after_the_timeout(app):
    item = seed(app)
    with app.state.sessions.begin() as s:
        rita = s.scalar(select(ReviewUser).where(ReviewUser.name == "rita"))
        ruud = s.scalar(select(ReviewUser).where(ReviewUser.name == "ruud"))
        from review import queue as Q

        assert Q.claim(s, item, rita, timedelta(minutes=30)) == item
        assert Q.claim(s, item, ruud, timedelta(minutes=30)) is None
        s.get(ReviewItem, item).claimed_at = auth.now() - timedelta(minutes=31)
        s.flush()
        assert Q.claim(s, item, ruud, timedelta(minutes=30)) == item
        assert s.get(ReviewItem, item).claimed_by == "ruud"
        assert not Q.holds(s.get(ReviewItem, item), rita, timedelta(minutes=30))


def claim_and_get_token(app, client, item):
    token = csrf_of(client)
    client.post(f"/items/{item}/claim", data={"csrf": token}, follow_redirects=False)
    return token


def test_approve_with_corrected_total_records_audit_correction_and_outcome(app):
    item = seed(app, audit_sample=True)
    client, _ = login(app, "rita", "password-r")
    token = claim_and_get_token(app, client, item)
    r = client.post(f"/items/{item}/action", data={"csrf": token, "action": "approve",
                                                   "total_amount": "1.234,50", "note": ""},
                    follow_redirects=False)
    assert "msg=" in r.headers["location"]
    page = client.get(f"/items/{item}").text
    assert re.search(r"<td>rita</td><td>edit</td><td>total_amount</td><td>123.45</td><td>1234.50</td>", page)
    assert "approved by rita" in page
    with app.state.sessions() as s:
        out = s.get(ReviewOutcome, item)
        assert out.decision == "approved" and out.fields["total_amount"] == "1234.50"
        assert out.eur["amount"] == "1234.50" and out.changed is True
        cor = s.scalars(select(Correction)).one()
        assert (cor.field, cor.predicted, cor.corrected) == ("total_amount", "123.45", "1234.50")
        assert s.get(ReviewItem, item).state == "done"


def test_invalid_amount_or_date_is_refused(app):
    item = seed(app)
    client, _ = login(app, "rita", "password-r")
    token = claim_and_get_token(app, client, item)
    for field, value in (("total_amount", "12x"), ("invoice_date", "2026-13-01"),
                         ("invoice_date", "2999-01-01"), ("currency", "EURO"), ("country", "XX")):
        r = client.post(f"/items/{item}/action", data={"csrf": token, "action": "approve",
                                                       field: value}, follow_redirects=False)
        assert "error=" in r.headers["location"], (field, value)
    with app.state.sessions() as s:
        assert s.get(ReviewItem, item).state == "claimed"
        assert s.scalars(select(Correction)).all() == []


def test_preview_recomputes_eur_and_reports_errors(app):
    item = seed(app)
    client, _ = login(app, "rita", "password-r")
    token = claim_and_get_token(app, client, item)
    out = client.post(f"/items/{item}/preview", data={"total_amount": "99,90"},
                      headers={"X-CSRF-Token": token}).json()
    assert out["eur"]["amount"] == "99.90" and out["changed"] == ["total_amount"]
    out = client.post(f"/items/{item}/preview", data={"invoice_date": "yesterday"},
                      headers={"X-CSRF-Token": token}).json()
    assert "invoice_date" in out["errors"]
    assert client.post(f"/items/{item}/preview", data={}).status_code == 403


def test_reject_needs_a_reason(app):
    item = seed(app)
    client, _ = login(app, "rita", "password-r")
    token = claim_and_get_token(app, client, item)
    r = client.post(f"/items/{item}/action", data={"csrf": token, "action": "reject", "note": " "},
                    follow_redirects=False)
    assert "error=" in r.headers["location"]
    client.post(f"/items/{item}/action", data={"csrf": token, "action": "reject",
                                               "note": "not a medical invoice"})
    with app.state.sessions() as s:
        out = s.get(ReviewOutcome, item)
        assert (out.decision, out.reason) == ("rejected", "not a medical invoice")


def test_escalated_items_go_to_supervisors_only(app):
    item = seed(app)
    rita, _ = login(app, "rita", "password-r")
    token = claim_and_get_token(app, rita, item)
    rita.post(f"/items/{item}/action", data={"csrf": token, "action": "escalate",
                                             "note": "looks like fraud"})
    ruud, _ = login(app, "ruud", "password-r2")
    r = ruud.post(f"/items/{item}/claim", data={"csrf": csrf_of(ruud)}, follow_redirects=False)
    assert "error=" in r.headers["location"]
    assert f'data-item="{item}"' not in ruud.get("/queue?state=escalated").text
    sara, _ = login(app, "sara", "password-s")
    assert f'data-item="{item}"' in sara.get("/queue?state=escalated").text
    token = claim_and_get_token(app, sara, item)
    sara.post(f"/items/{item}/action", data={"csrf": token, "action": "request_info",
                                             "note": "send the medical report"})
    with app.state.sessions() as s:
        assert s.get(ReviewItem, item).state == "waiting"
        actions = [a.action for a in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == ["claim", "escalate", "claim", "request_info"]


def test_audit_trail_is_append_only(app):
    item = seed(app)
    with app.state.sessions.begin() as s:
        s.add(AuditEntry(item_id=item, document_id="d", actor="rita", action="claim"))
    with app.state.sessions() as s:
        entry = s.scalars(select(AuditEntry)).one()
        entry.note = "changed"
        with pytest.raises(AppendOnly):
            s.flush()
    with app.state.sessions() as s:  # and in the database itself, below the ORM
        with pytest.raises(Exception, match="append-only"):
            s.execute(text("UPDATE review_audit SET actor = 'x'"))
        s.rollback()
        with pytest.raises(Exception, match="append-only"):
            s.execute(text("DELETE FROM review_audit"))


def test_dashboard_shows_audit_sample_error_rate(app):
    items = [seed(app, n=i, audit_sample=True) for i in range(4)]
    client, _ = login(app, "rita", "password-r")
    for i, item in enumerate(items):
        token = claim_and_get_token(app, client, item)
        data = {"csrf": token, "action": "approve"}
        if i == 0:
            data["country"] = "FR"  # one of four changed by the reviewer
        client.post(f"/items/{item}/action", data=data)
    seed(app, n=9, reasons=["no_rate:THB"], created_at=auth.now() - timedelta(days=3))
    sup, _ = login(app, "sara", "password-s")
    page = sup.get("/dashboard").text
    assert re.search(r'id="error-rate">25.0 %', page)
    n = lambda v: f'<td class="num">{v}</td>'
    assert f"<td>no_rate:THB</td>{n(1)}{n(0)}{n(0)}{n(1)}{n(0)}" in page  # by reason and age
    assert re.search(r"<td>rita</td><td class=\"num\">4</td>", page)


def test_item_page_shows_boxes_and_renders_the_original(app):
    item = seed(app, confidence={"total_amount": 0.4})
    client, _ = login(app, "rita", "password-r")
    page = client.get(f"/items/{item}").text
    assert re.search(r'class="box lo" data-field="total_amount"', page)
    assert re.search(r'class="box hi" data-field="invoice_date"', page)
    assert 'data-field="total_amount"' in page and 'class="attention"' in page
    csp = client.get(f"/items/{item}").headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    png = client.get(f"/items/{item}/pages/0.png")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    assert client.get(f"/items/{item}/pages/5.png").status_code == 404


def test_approve_fails_cleanly_when_coverage_breaks(app, monkeypatch):
    from review import fields as F

    def broken(*_a):
        raise RuntimeError("policy table missing")

    monkeypatch.setattr(F, "recompute", broken)
    item = seed(app)
    client, _ = login(app, "rita", "password-r")
    token = claim_and_get_token(app, client, item)
    r = client.post(f"/items/{item}/action", data={"csrf": token, "action": "approve",
                                                   "total_amount": "99.00"}, follow_redirects=False)
    assert "policy%20table%20missing" in r.headers["location"]
    with app.state.sessions() as s:
        assert s.get(ReviewItem, item).state == "claimed"
        assert s.scalars(select(Correction)).all() == []  # the edit was rolled back too


def test_reviewer_facts_feed_the_live_coverage_check(app):
    from pipeline.store import Insured

    from tests.test_review_cli import PROFILE

    with app.state.sessions.begin() as s:
        s.add(Insured(insured_id="P-1", profile=PROFILE))
    item = seed(app, insured_id="P-1")  # physiotherapy: the policy counts sessions
    client, _ = login(app, "rita", "password-r")
    token = claim_and_get_token(app, client, item)
    assert 'name="fact.sessions"' in client.get(f"/items/{item}").text
    preview = lambda data: client.post(f"/items/{item}/preview", data=data,
                                       headers={"X-CSRF-Token": token}).json()
    codes = lambda out: [r["code"] for r in out["coverage"]["reasons"]]
    assert "sessions_unknown" in codes(preview({}))
    assert "sessions_unknown" not in codes(preview({"fact.sessions": "3"}))
    assert "facts.sessions" in preview({"fact.sessions": "three"})["errors"]
    client.post(f"/items/{item}/action", data={"csrf": token, "action": "approve",
                                               "fact.sessions": "3"})
    with app.state.sessions() as s:
        out = s.get(ReviewOutcome, item)
        assert out.fields["facts"] == {"sessions": 3}
        assert "sessions_unknown" not in [r["code"] for r in out.coverage["reasons"]]
        fact = s.scalars(select(AuditEntry).where(AuditEntry.action == "fact")).one()
        assert (fact.field, fact.after) == ("facts.sessions", 3)


def test_reject_gives_the_documents_usage_back(app):
    from pipeline.store import UsageEntry

    item = seed(app, insured_id="P-77")
    with app.state.sessions.begin() as s:
        doc = s.get(ReviewItem, item).document_id
        s.add(UsageEntry(insured_id="P-77", document_id=doc, category="physiotherapy_sessions",
                         period="2026-01-01", count=3, amount_eur="120.00"))
        s.add(UsageEntry(insured_id="P-77", document_id="other-document", category="physiotherapy_sessions",
                         period="2026-01-01", count=2, amount_eur="80.00"))
    client, _ = login(app, "rita", "password-r")
    token = claim_and_get_token(app, client, item)
    client.post(f"/items/{item}/action", data={"csrf": token, "action": "reject",
                                               "note": "duplicate of an earlier claim"})
    with app.state.sessions() as s:
        left = s.scalars(select(UsageEntry)).all()
        assert [(u.document_id, u.count) for u in left] == [("other-document", 2)]
