"""CLI of the review app, corrections export, page rendering, live coverage on the item page."""
import io
import json

import pytest
from typer.testing import CliRunner

from pipeline.cli import app as cli
from pipeline.store import Insured, ReviewItem
from pipeline.store_review import ApiKey, ReviewUser
from review import auth
from review import queue as Q
from review.demo import migrated_sqlite, seed_item

runner = CliRunner()
PROFILE = {"insured_id": "P-1", "product": "oom_international", "coverage": "plus", "region": "B",
           "deductible_eur": 0, "insurance_year_start": "2026-01-01", "policy_start": "2025-01-01",
           "policy_end": None, "date_of_birth": "1990-05-17", "sex": "female",
           "country_of_origin": "IN", "nationality": "IN", "modules": []}


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch):
    from argon2 import PasswordHasher

    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def url(tmp_path):
    return migrated_sqlite(tmp_path)


def test_users_add_with_prompt_and_role_check(url):
    from pipeline.db import session_factory

    r = runner.invoke(cli, ["users", "add", "rita", "--role", "reviewer", "--db", url],
                      input="secret-pass\nsecret-pass\n")
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli, ["users", "add", "boss", "--role", "admin", "--password", "x" * 10,
                            "--db", url])
    assert r.exit_code == 2 and "role must be" in r.output
    r = runner.invoke(cli, ["users", "add", "rita", "--role", "reviewer", "--password", "y" * 10,
                            "--db", url])
    assert r.exit_code == 2 and "exists" in r.output
    with session_factory(url)() as s:
        assert auth.check_password(s, "rita", "secret-pass").role == "reviewer"
        assert s.query(ReviewUser).count() == 1


def test_api_key_command_prints_a_working_key(url):
    from pipeline.db import session_factory

    r = runner.invoke(cli, ["users", "api-key", "portal-x", "--insured-id", "P-9", "--db", url])
    assert r.exit_code == 0
    key = r.stdout.strip().splitlines()[-1]
    with session_factory(url)() as s:
        row = auth.find_api_key(s, key)
        assert row.insured_id == "P-9" and row.key_hash != key
        assert s.query(ApiKey).count() == 1


def test_export_corrections_writes_json_lines(url, tmp_path):
    from pipeline.db import session_factory

    sessions = session_factory(url)
    with sessions.begin() as s:
        user = auth.add_user(s, "rita", "reviewer", "password-r")
        item = seed_item(s, n=1)
        Q.claim(s, item.id, user, Q.timedelta(minutes=30))
        Q.decide(s, item, user, "approve", {"total_amount": "200.00", "treatment_type": "dental"},
                 "", Q.timedelta(minutes=30))
    out = tmp_path / "corr.jsonl"
    r = runner.invoke(cli, ["export-corrections", "--out", str(out), "--db", url])
    assert r.exit_code == 0, r.output
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert [(x["field"], x["predicted"], x["corrected"]) for x in lines] == [
        ("total_amount", "123.45", "200.00"), ("treatment_type", "physiotherapy", "dental")]
    assert lines[0]["final_fields"]["total_amount"] == "200.00"
    assert lines[0]["decision"] == "approved" and lines[0]["reviewer"] == "rita"


def test_pdf_and_image_pages_render_to_png():
    from PIL import Image
    from reportlab.pdfgen import canvas

    from review.render import page_png

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(300, 400))
    c.drawString(20, 350, "page one")
    c.showPage()
    c.drawString(20, 350, "page two")
    c.save()
    png = page_png("pdf-test", buf.getvalue(), 1)
    img = Image.open(io.BytesIO(png))
    assert img.format == "PNG" and abs(img.width / img.height - 0.75) < 0.01
    photo = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(photo, "JPEG")
    turned = Image.open(io.BytesIO(page_png("jpg-test", photo.getvalue(), 0, rotation=90)))
    assert turned.size == (20, 40)  # turned upright like the OCR did


def test_preview_recomputes_coverage_for_a_known_insured(url):
    from pipeline.db import session_factory
    from review import fields as F

    sessions = session_factory(url)
    with sessions.begin() as s:
        s.add(Insured(insured_id="P-1", profile=PROFILE))
        item = seed_item(s, n=1, insured_id="P-1")
    with sessions() as s:
        item = s.get(ReviewItem, item.id)
        fields = {**seed_fields(s, item), "total_amount": "80.00"}
        out = F.recompute(s, Q.insured_of(s, item), fields, item.document_id)
        s.rollback()  # a preview never keeps the usage it computed
    assert out["eur"]["amount"] == "80.00"
    assert out["coverage"]["decision"] in ("covered", "partially_covered", "not_covered",
                                           "pending_information")
    assert out["coverage_message"] is None


def seed_fields(session, item):
    from pipeline.store import Result

    return dict(session.get(Result, item.result_id).payload["fields"])
