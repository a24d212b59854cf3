"""The contract's result object, built from what each stage produced."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

CONF_KEYS = ("invoice_date", "total_amount", "currency", "country", "treatment_type", "setting",
             "invoice_number", "provider_name", "patient_name")
OVERALL_KEYS = ("invoice_date", "total_amount", "currency", "country", "treatment_type")


def money(value: Decimal | None) -> str | None:
    if value is None:
        return None
    return str(Decimal(value).quantize(Decimal("0.01")))


def empty_fields() -> dict[str, Any]:
    return {"invoice_date": None, "invoice_number": None, "provider_name": None,
            "patient_name": None, "country": None, "currency": None, "total_amount": None,
            "treatment_type": None, "setting": None, "line_items": []}


def failed(document_id: str | None, source: str, code: str, message: str) -> dict[str, Any]:
    conf = {k: 0.0 for k in CONF_KEYS}
    conf["overall"] = 0.0
    return {"document_id": document_id, "source": source, "status": "failed",
            "error": {"code": code, "message": message}, "review_reasons": [],
            "fields": empty_fields(), "confidence": conf, "eur": None, "coverage": None}


def overall(confidence: dict[str, float]) -> float:
    return round(min(confidence.get(k, 0.0) for k in OVERALL_KEYS), 4)
