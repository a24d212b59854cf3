"""Routing: per-field thresholds from configuration, review reasons, the deterministic audit sample."""
from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from extractors.types import Extraction, FieldValue
from pipeline import process as P
from pipeline.db import session_factory
from pipeline.routing import RoutingConfig, in_audit_sample, low_confidence_reasons
from pipeline.store import Claim, Document, Original, ReviewItem


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    monkeypatch.delenv("CLAIMFLOW_CONFIG", raising=False)
    monkeypatch.delenv("CLAIMFLOW_AUDIT_RATE", raising=False)


def test_config_file_overrides_thresholds_and_audit_rate(tmp_path, monkeypatch):
    cfg_json = tmp_path / "claimflow.json"
    cfg_json.write_text(json.dumps({"routing": {"thresholds": {"total_amount": 0.5},
                                                "audit_rate": 0.1}}))
    monkeypatch.setenv("CLAIMFLOW_CONFIG", str(cfg_json))
    cfg = RoutingConfig.load()
    assert cfg.thresholds["total_amount"] == 0.5
    assert cfg.thresholds["currency"] == 0.90  # untouched fields keep their default
    assert cfg.audit_rate == 0.1

    cfg_yaml = tmp_path / "claimflow.yaml"
    cfg_yaml.write_text("routing:\n  thresholds:\n    country: 0.42\n")
    monkeypatch.setenv("CLAIMFLOW_CONFIG", str(cfg_yaml))
    monkeypatch.setenv("CLAIMFLOW_AUDIT_RATE", "0.05")
    cfg = RoutingConfig.load()
    assert cfg.thresholds["country"] == 0.42 and cfg.audit_rate == 0.05

    cfg_yaml.write_text("routing:\n  thresholds:\n    shoe_size: 0.5\n")
    with pytest.raises(ValueError, match="shoe_size"):
        RoutingConfig.load()


def test_audit_sample_is_two_percent_by_default_and_deterministic():
    cfg = RoutingConfig.load()
    assert cfg.audit_rate == 0.02
    ids = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(20000)]
    picked = {d for d in ids if in_audit_sample(d, cfg)}
    assert 0.017 <= len(picked) / len(ids) <= 0.023
    assert picked == {d for d in ids if in_audit_sample(d, RoutingConfig.load())}
    assert not any(in_audit_sample(d, RoutingConfig(audit_rate=0.0)) for d in ids[:2000])


def test_low_confidence_thresholds_per_field():
    conf = {"invoice_date": 0.99, "total_amount": 0.85, "currency": 0.99, "country": 0.95,
            "treatment_type": 0.75, "setting": 0.65}
    assert low_confidence_reasons(conf, RoutingConfig()) == ["low_confidence:total_amount",
                                                             "low_confidence:setting"]
    loose = RoutingConfig(thresholds={**RoutingConfig().thresholds, "total_amount": 0.8,
                                      "setting": 0.6})
    assert low_confidence_reasons(conf, loose) == []


def _extraction(review_reasons=()) -> Extraction:
    return Extraction(invoice_date=FieldValue(date(2026, 3, 12), 0.99),
                      total_amount=FieldValue(Decimal("45.00"), 0.99),
                      currency=FieldValue("EUR", 0.99), country=FieldValue("DE", 0.95),
                      text="Physiotherapie 45,00 EUR", review_reasons=list(review_reasons))


CLS = SimpleNamespace(treatment_type="physiotherapy", treatment_conf=0.95, setting="outpatient",
                      setting_conf=0.95, country="DE", country_conf=0.95, line_types=[], notes=[])


def _decide_and_save(sessions, document_id, ext, insured=None, cfg=None):
    with sessions.begin() as s:
        s.add(Original(sha256=document_id, size=1, kind="pdf", data=b"x"))
        result, evidence = P.decide(s, ext, [], (CLS, []), document_id, "x.pdf", insured,
                                    cfg or RoutingConfig())
        P.save(s, result, evidence, insured, {"pipeline_version": "t", "model_version": "m",
                                              "rules_version": "r"})
    return result


def test_audit_sample_marks_otherwise_clean_documents(sqlite_url, monkeypatch):
    monkeypatch.setattr(P, "convert_eur", lambda session, fields: (None, []))
    sessions = session_factory(sqlite_url)
    sampled, clean = "0" * 64, "f" * 64  # first 8 hex digits: 0.0 and ~1.0 of the range
    r1 = _decide_and_save(sessions, sampled, _extraction())
    r2 = _decide_and_save(sessions, clean, _extraction())
    assert (r1["status"], r1["review_reasons"]) == ("needs_review", ["audit_sample"])
    assert (r2["status"], r2["review_reasons"]) == ("auto_processed", [])
    with sessions() as s:
        items = s.scalars(select(ReviewItem)).all()
        assert [(i.document_id, i.audit_sample) for i in items] == [(sampled, True)]


def test_arithmetic_mismatch_and_coverage_questions_are_review_reasons(sqlite_url, monkeypatch):
    monkeypatch.setattr(P, "convert_eur", lambda session, fields: (None, []))
    monkeypatch.setattr(P, "evaluate_coverage", lambda *a: {
        "decision": "pending_information", "reimbursed_eur": "0.00",
        "deductible_applied_eur": "0.00",
        "reasons": [{"code": "prior_authorisation_missing", "article": "x", "message": "y",
                     "needs_review": True}]})
    sessions = session_factory(sqlite_url)
    insured = P.Insured(person=SimpleNamespace(insured_id="P-7", raw={"insured_id": "P-7"}))
    doc = "0" * 64  # in the audit sample, but real reasons take its place
    r = _decide_and_save(sessions, doc, _extraction(["line_items_mismatch"]), insured)
    assert r["status"] == "needs_review"
    assert r["review_reasons"] == ["line_items_mismatch", "coverage:prior_authorisation_missing"]
    with sessions() as s:
        item = s.scalars(select(ReviewItem)).one()
        assert item.audit_sample is False
        assert s.scalars(select(Claim.insured_id)).all() == ["P-7"]
        assert s.get(Document, doc).insured_id == "P-7"
