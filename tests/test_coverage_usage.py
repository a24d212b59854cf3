"""Usage in the store (SQLite): no double counting, reversal gives usage back; the evaluate CLI."""
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal as D
from pathlib import Path
from types import SimpleNamespace

import pytest
import typer
from sqlalchemy import func, select
from typer.testing import CliRunner

from coverage.insured import load_insured, parse_insured
from pipeline import cli_evaluate, usage
from pipeline.coverage_service import evaluate_claim
from pipeline.db import session_factory
from pipeline.store import Insured, UsageEntry

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "insured"


@dataclass(frozen=True)
class Conv:
    amount: D


def plus(deductible="0"):
    return parse_insured({"insured_id": "U-1", "product": "oom_international", "coverage": "plus",
                          "region": "A", "deductible_eur": deductible, "insurance_year_start": "2026-01-01",
                          "policy_start": "2025-01-01", "date_of_birth": "1990-01-01"})


def physio(sessions, amount="100.00"):
    return {"invoice_date": "2026-05-04", "country": "DE", "currency": "EUR", "total_amount": amount,
            "treatment_type": "physiotherapy", "setting": "outpatient",
            "line_items": [{"description": f"Physiotherapie {sessions}x", "amount": amount,
                            "treatment_type": "physiotherapy"}]}


def sessions_used(sessions, insured_id="U-1"):
    with sessions() as s:
        return s.scalar(select(func.coalesce(func.sum(UsageEntry.count), 0)).where(
            UsageEntry.insured_id == insured_id, UsageEntry.category == "physiotherapy_group"))


def evaluate(sessions, person, fields, doc, eur=None, **kw):
    with sessions.begin() as s:
        return evaluate_claim(s, person, fields, Conv(D(eur or fields.get("total_amount") or "0")), doc, **kw)


def test_reprocessing_does_not_count_twice(sqlite_url):
    sessions = session_factory(sqlite_url)
    p = plus()
    first = evaluate(sessions, p, physio(10), "doc-a")
    again = evaluate(sessions, p, physio(10), "doc-a")
    assert first == again and first["decision"] == "covered"
    assert sessions_used(sessions) == 10
    evaluate(sessions, p, physio(12), "doc-b")
    assert sessions_used(sessions) == 22
    third = evaluate(sessions, p, physio(6), "doc-c")
    assert third["decision"] == "partially_covered" and third["reimbursed_eur"] == "50.00"
    assert sessions_used(sessions) == 25


def test_release_gives_usage_back(sqlite_url):
    sessions = session_factory(sqlite_url)
    p = plus()
    evaluate(sessions, p, physio(25), "doc-a")
    assert evaluate(sessions, p, physio(2), "doc-b")["decision"] == "not_covered"
    with sessions.begin() as s:
        assert usage.release(s, "U-1", "doc-a") > 0
    assert evaluate(sessions, p, physio(2), "doc-b")["decision"] == "covered"
    assert sessions_used(sessions) == 2


def test_pending_leaves_no_usage_and_replaces_old_rows(sqlite_url):
    sessions = session_factory(sqlite_url)
    p = plus()
    evaluate(sessions, p, physio(5), "doc-a")
    fields = physio(5)
    fields["line_items"][0]["description"] = "Physiotherapie"
    out = evaluate(sessions, p, fields, "doc-a")
    assert out["decision"] == "pending_information" and out["reasons"][0]["code"] == "sessions_unknown"
    assert sessions_used(sessions) == 0
    out = evaluate(sessions, p, fields, "doc-a", facts={"sessions": 4})
    assert out["decision"] == "covered" and sessions_used(sessions) == 4


def test_no_rate_and_unreadable_field_are_pending(sqlite_url):
    sessions = session_factory(sqlite_url)
    with sessions.begin() as s:
        out = evaluate_claim(s, plus(), physio(1), None, "doc-x")
    assert out["decision"] == "pending_information" and out["reasons"][0]["code"] == "no_rate"
    assert out["reimbursed_eur"] == "0.00"
    fields = {**physio(1), "total_amount": None}
    out = evaluate(sessions, plus(), fields, "doc-y", eur="1")
    assert out["decision"] == "pending_information" and out["reasons"][0]["code"] == "missing_field_total_amount"


def test_deductible_accumulates_per_year_and_insured_row_locked(sqlite_url):
    sessions = session_factory(sqlite_url)
    p = plus(deductible="150")
    gp = {**physio(1), "treatment_type": "general_practice", "line_items": []}
    a = evaluate(sessions, p, gp, "doc-a")
    b = evaluate(sessions, p, gp, "doc-b")
    assert (a["deductible_applied_eur"], b["deductible_applied_eur"], b["reimbursed_eur"]) == \
        ("100.00", "50.00", "50.00")
    with sessions() as s:
        row = s.get(Insured, "U-1")
        assert row is not None and row.profile["coverage"] == "plus"


# --- the evaluate command -------------------------------------------------------------------------

class FakeNoRate(Exception):
    def __init__(self, currency, day, detail):
        super().__init__(detail)
        self.detail = detail


CALLS = []


def fake_fx(rates):
    def convert(session, amount, currency, day):
        CALLS.append((amount, currency, day))
        if currency not in rates:
            raise FakeNoRate(currency, day, f"no {currency} rate")
        return SimpleNamespace(amount=(amount / D(rates[currency])).quantize(D("0.01")))
    return SimpleNamespace(convert=convert, NoRate=FakeNoRate)


@pytest.fixture
def cli(monkeypatch, tmp_path):
    monkeypatch.setattr(cli_evaluate, "_fx", lambda: fake_fx({"EUR": "1", "THB": "40"}))
    app = typer.Typer()
    app.command()(cli_evaluate.evaluate_command)
    db = f"sqlite:///{tmp_path}/cli.sqlite"

    def invoke(insured, claim):
        path = tmp_path / "claim.json"
        path.write_text(json.dumps(claim) if isinstance(claim, dict) else claim)
        return CliRunner().invoke(app, ["--insured-file", str(insured), "--claim-file", str(path), "--db", db])
    return invoke


def test_cli_prints_one_json_line_and_converts(cli):
    claim = {**physio(3, "4000.00"), "currency": "THB"}
    res = cli(SAMPLES / "P-1001.yaml", claim)
    assert res.exit_code == 0, res.output
    lines = res.stdout.strip().splitlines()
    assert len(lines) == 1
    out = json.loads(lines[0])
    assert set(out) == {"decision", "reimbursed_eur", "deductible_applied_eur", "reasons"}
    assert (out["reimbursed_eur"], out["deductible_applied_eur"]) == ("0.00", "100.00")  # 4000 THB = EUR 100
    assert CALLS[-1] == (D("4000.00"), "THB", date(2026, 5, 4))  # the rate of the invoice date
    assert all(r["article"] for r in out["reasons"])


def test_cli_no_rate_is_pending(cli):
    res = cli(SAMPLES / "P-1001.yaml", {**physio(3), "currency": "XAU"})
    assert res.exit_code == 0
    out = json.loads(res.stdout)
    assert out["decision"] == "pending_information" and out["reasons"][0]["code"] == "no_rate"


def test_cli_answering_a_question_replaces_usage(cli, tmp_path):
    fields = physio(0)
    fields["line_items"][0]["description"] = "Physiotherapy"
    first = json.loads(cli(SAMPLES / "P-1001.yaml", {"fields": fields}).stdout)
    assert first["decision"] == "pending_information"
    answered = {"fields": fields, "facts": {"sessions": 2}}
    for _ in range(2):
        out = json.loads(cli(SAMPLES / "P-1001.yaml", answered).stdout)
        assert out["decision"] == "covered"
    sessions = session_factory(f"sqlite:///{tmp_path}/cli.sqlite")
    assert sessions_used(sessions, "P-1001") == 2


def test_cli_accepts_yaml_claim(cli):
    text = "invoice_date: '2026-05-04'\ncountry: DE\ncurrency: EUR\ntotal_amount: '80.00'\n" \
           "treatment_type: general_practice\nsetting: outpatient\n"
    out = json.loads(cli(SAMPLES / "P-1002.yaml", text).stdout)
    assert out["decision"] == "covered" and out["reimbursed_eur"] == "80.00"


@pytest.mark.parametrize("field", ["product", "region", "deductible_eur"])
def test_cli_bad_insured_file_exits_nonzero_naming_field(cli, tmp_path, field):
    data = load_insured(SAMPLES / "P-1001.yaml").raw
    data[field] = "nonsense"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    res = cli(bad, physio(1))
    assert res.exit_code != 0 and f"field {field}" in res.output


def test_cli_bad_claim_exits_nonzero_naming_field(cli):
    claim = physio(1)
    del claim["currency"]
    res = cli(SAMPLES / "P-1001.yaml", claim)
    assert res.exit_code != 0
    assert "field currency" in res.output
