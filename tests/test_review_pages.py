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


# --- line items ----------------------------------------------------------------------------

LINES = [{"description": "Physio session", "amount": "60.00", "treatment_type": "physiotherapy"},
         {"description": "Consultation", "amount": "63.45", "treatment_type": "physiotherapy"}]


def seed_lines(app, lines, **kw):
    """A seeded item whose predicted fields carry `lines`."""
    import copy

    from pipeline.store import Result

    with app.state.sessions.begin() as s:
        item = seed_item(s, **kw)
        result = s.get(Result, item.result_id)
        payload = copy.deepcopy(result.payload)
        payload["fields"]["line_items"] = copy.deepcopy(lines)
        result.payload = payload
        return item.id


def line_form(lines, **changes):
    """The line editor's form values as the page sends them, with `changes` like
    {"line_items[1].amount": "12,00"} applied (None drops a key)."""
    data = {"line_items": "edit"}
    for i, li in enumerate(lines):
        for part in ("description", "amount", "treatment_type"):
            data[f"line_items[{i}].{part}"] = li[part] or ""
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_page_renders_line_editor_and_sum_warning(app):
    item = seed_lines(app, LINES, fields={"total_amount": "150.00"})
    client, _ = login(app, "rita", "password-r")
    page = client.get(f"/items/{item}").text
    assert 'name="line_items[1].amount" value="63.45"' in page
    assert "The line items add up to 123.45, the total is 150.00" in page  # shown before claiming
    claim_and_get_token(app, client, item)
    page = client.get(f"/items/{item}").text
    assert 'name="line_items" value="edit"' in page and 'id="add-line"' in page
    assert re.search(r'<option selected>physiotherapy</option>', page)
    assert 'id="line-template"' in page and 'name="line_items[__I__].amount"' in page
    sums = seed_lines(app, LINES, n=1)  # 60.00 + 63.45 = the total 123.45: no warning
    assert re.search(r'id="lines-warning" role="status" hidden></p>', client.get(f"/items/{sums}").text)


def test_bad_line_amount_is_refused_naming_the_line_and_nothing_is_saved(app):
    item = seed_lines(app, LINES)
    client, _ = login(app, "rita", "password-r")
    token = claim_and_get_token(app, client, item)
    data = {"csrf": token, "action": "approve", "total_amount": "99.00",
            **line_form(LINES, **{"line_items[0].description": "Massage",
                                  "line_items[1].amount": "12x"})}
    r = client.post(f"/items/{item}/action", data=data, follow_redirects=False)
    assert "Line%202%20amount%3A%20an%20amount%20like%201234.50" in r.headers["location"]
    out = client.post(f"/items/{item}/preview", data=data, headers={"X-CSRF-Token": token}).json()
    assert out["errors"] == {"line_items[1].amount": "an amount like 1234.50"}
    bad_type = {**data, "line_items[1].amount": "12.00", "line_items[1].treatment_type": "massage"}
    r = client.post(f"/items/{item}/action", data=bad_type, follow_redirects=False)
    assert "Line%202%20treatment%20type" in r.headers["location"]
    with app.state.sessions() as s:
        assert s.get(ReviewItem, item).state == "claimed"
        assert s.scalars(select(Correction)).all() == []
        assert s.get(ReviewOutcome, item) is None
        assert [a.action for a in s.scalars(select(AuditEntry))] == ["claim"]


def test_edited_line_amount_and_type_go_to_audit_corrections_and_outcome(app):
    from pipeline.store import Insured

    from tests.test_review_cli import PROFILE

    with app.state.sessions.begin() as s:
        s.add(Insured(insured_id="P-1", profile=PROFILE))
    item = seed_lines(app, LINES, insured_id="P-1")
    client, _ = login(app, "rita", "password-r")
    token = claim_and_get_token(app, client, item)
    data = line_form(LINES, **{"line_items[0].amount": "1.234,50",
                               "line_items[0].treatment_type": "general_practice",
                               "line_items[1].treatment_type": "general_practice"})
    r = client.post(f"/items/{item}/action", data={"csrf": token, "action": "approve", **data},
                    follow_redirects=False)
    assert "msg=" in r.headers["location"]
    page = client.get(f"/items/{item}").text
    assert re.search(r"<td>rita</td><td>edit</td><td>line_items\[0\].amount</td><td>60.00</td>"
                     r"<td>1234.50</td>", page)
    with app.state.sessions() as s:
        edits = [(a.field, a.before, a.after) for a in s.scalars(
            select(AuditEntry).where(AuditEntry.action == "edit").order_by(AuditEntry.id))]
        assert edits == [("line_items[0].amount", "60.00", "1234.50"),
                         ("line_items[0].treatment_type", "physiotherapy", "general_practice"),
                         ("line_items[1].treatment_type", "physiotherapy", "general_practice")]
        cors = [(c.field, c.predicted, c.corrected)
                for c in s.scalars(select(Correction).order_by(Correction.id))]
        assert cors == edits
        out = s.get(ReviewOutcome, item)
        assert out.fields["line_items"] == [
            {"description": "Physio session", "amount": "1234.50", "treatment_type": "general_practice"},
            {"description": "Consultation", "amount": "63.45", "treatment_type": "general_practice"}]
        assert out.changed is True
        # coverage priced the lines as general practice: no physiotherapy session question
        assert out.coverage["decision"] == "covered"
        assert [r["code"] for r in out.coverage["reasons"]] == ["covered"]
    from review.export import corrections

    with app.state.sessions() as s:
        rows = list(corrections(s))
    assert rows[0]["field"] == "line_items[0].amount" and rows[0]["corrected"] == "1234.50"
    assert rows[0]["final_fields"]["line_items"][0]["amount"] == "1234.50"


def test_add_and_remove_lines(app):
    item = seed_lines(app, LINES)
    client, _ = login(app, "rita", "password-r")
    token = claim_and_get_token(app, client, item)
    preview = lambda data: client.post(f"/items/{item}/preview", data=data,
                                       headers={"X-CSRF-Token": token}).json()
    assert preview({"total_amount": "123.45"})["changed"] == []  # no line editor sent: lines kept
    assert preview(line_form(LINES))["changed"] == []  # the page's values unchanged: no edit
    data = line_form(LINES, **{"line_items[0].description": None, "line_items[0].amount": None,
                               "line_items[0].treatment_type": None,  # row removed
                               "line_items[2].description": "X-ray", "line_items[2].amount": "20,00",
                               "line_items[2].treatment_type": "laboratory",
                               "line_items[3].description": "", "line_items[3].amount": " "})
    out = preview(data)
    assert out["changed"] == ["line_items[0]", "line_items[2]"]
    assert out["lines_warning"] == ("The line items add up to 83.45, the total is 123.45 "
                                    "(difference -40.00).")
    client.post(f"/items/{item}/action", data={"csrf": token, "action": "approve", **data})
    added = {"description": "X-ray", "amount": "20.00", "treatment_type": "laboratory"}
    with app.state.sessions() as s:
        out = s.get(ReviewOutcome, item)
        assert out.fields["line_items"] == [LINES[1], added]
        edits = [(a.field, a.before, a.after) for a in s.scalars(
            select(AuditEntry).where(AuditEntry.action == "edit").order_by(AuditEntry.id))]
        assert edits == [("line_items[0]", LINES[0], None), ("line_items[2]", None, added)]
        assert [(c.field, c.predicted, c.corrected) for c in s.scalars(select(Correction))] == edits
    page = client.get(f"/items/{item}").text  # a whole line shows as JSON in the audit trail
    assert '<td>line_items[2]</td><td></td><td>{"amount": "20.00", "description": "X-ray"' in page


def test_preview_prices_the_edited_lines(app):
    from pipeline.store import Insured

    from tests.test_review_cli import PROFILE

    with app.state.sessions.begin() as s:
        s.add(Insured(insured_id="P-1", profile=PROFILE))
    item = seed_lines(app, LINES, insured_id="P-1")
    client, _ = login(app, "rita", "password-r")
    token = claim_and_get_token(app, client, item)
    preview = lambda data: client.post(f"/items/{item}/preview", data=data,
                                       headers={"X-CSRF-Token": token}).json()
    codes = lambda out: [r["code"] for r in out["coverage"]["reasons"]]
    assert "sessions_unknown" in codes(preview(line_form(LINES)))
    out = preview(line_form(LINES, **{"line_items[0].treatment_type": "general_practice",
                                      "line_items[1].treatment_type": "general_practice"}))
    assert codes(out) == ["covered"] and out["coverage"]["reimbursed_eur"] == "123.45"
    out = preview(line_form(LINES, **{"line_items[1].description": "Vitamins",
                                      "line_items[1].amount": "10,00"}))
    excluded = [r for r in out["coverage"]["reasons"] if r["code"] == "excluded_vitamins_supplements"]
    # the line's share of the EUR total follows the edited amounts: 123.45 * 10 / (60 + 10)
    assert "(EUR 17.64)" in excluded[0]["message"]
    assert out["lines_warning"].startswith("The line items add up to 70.00")
    with app.state.sessions() as s:  # a preview keeps nothing
        assert s.scalars(select(Correction)).all() == []
