"""Stages of pipeline.process wired to the real classifier and evaluator."""
from decimal import Decimal

from extractors.types import Extraction, FieldValue, LineItem
from pipeline.process import build_fields, classify_stage


def test_weak_classifier_guess_becomes_a_review_reason():
    ext = Extraction(text="Счёт за лечение, оплачено наличными, спасибо за визит")
    cls, reasons = classify_stage(ext, "ru.pdf")
    assert "classifier:unknown_script" in reasons
    assert cls.treatment_conf <= 0.2


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
