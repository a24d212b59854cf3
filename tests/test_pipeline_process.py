"""Stages of pipeline.process wired to the real classifier and evaluator."""
from decimal import Decimal

from extractors.types import Extraction, FieldValue, LineItem
from pipeline.process import build_fields, classify_stage


def test_weak_classifier_guess_becomes_a_review_reason():
    ext = Extraction(text="Счёт за лечение, оплачено наличными, спасибо за визит")
    cls, reasons = classify_stage(ext, "ru.pdf")
    assert "classifier:unknown_script" in reasons
    assert cls.treatment_conf <= 0.2


def test_inpatient_without_stay_dates_becomes_a_review_reason():
    ext = Extraction(text="Universitätsklinikum Köln\nRechnung Nr. 55120\nStationäre Behandlung\n"
                          "Pflegesatz Normalstation\nOperation Knie\nSumme 4.800,00")
    cls, reasons = classify_stage(ext, "klinik.pdf")
    assert "classifier:inpatient_without_stay" in reasons
    _, conf, _ = build_fields(ext, cls)
    assert conf["setting"] <= 0.5


def test_confident_invoice_raises_no_classifier_reason():
    ext = Extraction(text="Physiotherapie Praxis Berlin\nKrankengymnastik 6x\nGesamtbetrag 195,00 EUR",
                     line_items=[LineItem("Krankengymnastik 6x", Decimal("195.00"))],
                     country_hints={"DE": 4.0}, currency=FieldValue("EUR", 0.99))
    cls, reasons = classify_stage(ext, "de.pdf")
    assert reasons == []
    fields, conf, _ = build_fields(ext, cls)
    assert fields["treatment_type"] == "physiotherapy"
    assert fields["line_items"] == [{"description": "Krankengymnastik 6x", "amount": "195.00",
                                     "treatment_type": "physiotherapy"}]
    assert fields["country"] == "DE" and conf["country"] > 0.8


def test_too_large_file_fails_with_its_code_and_the_original_is_kept(tmp_path, sqlite_url, monkeypatch):
    import hashlib

    from sqlalchemy import select

    from pipeline import process
    from pipeline.db import session_factory
    from pipeline.store import Claim, Original

    monkeypatch.setattr(process, "MAX_BYTES", 1000)
    big = tmp_path / "big.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * 5000)
    sessions = session_factory(sqlite_url)
    result = process.process_file(str(big), sessions)
    assert result["status"] == "failed" and result["error"]["code"] == "too_large"
    digest = hashlib.sha256(big.read_bytes()).hexdigest()
    assert result["document_id"] == digest
    with sessions() as s:
        assert s.get(Original, digest).data == big.read_bytes()
        assert len(s.scalars(select(Claim)).all()) == 1
