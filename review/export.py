"""Reviewer corrections as labelled examples (one JSON object per corrected field)."""
from __future__ import annotations

from typing import Iterator

from sqlalchemy import select

from pipeline.store import Result
from pipeline.store_review import Correction, ReviewOutcome


def corrections(session) -> Iterator[dict]:
    """Oldest first. Each line: what the pipeline said, what the reviewer set, and the context
    a model needs (the document's fields as predicted and as finally approved, line items)."""
    q = select(Correction).order_by(Correction.id)
    for c in session.scalars(q).yield_per(500):
        result = session.get(Result, c.result_id)
        payload = result.payload if result else {}
        outcome = session.get(ReviewOutcome, c.item_id)
        yield {
            "document_id": c.document_id,
            "item_id": c.item_id,
            "result_id": c.result_id,
            "field": c.field,
            "predicted": c.predicted,
            "corrected": c.corrected,
            "confidence": c.confidence,
            "reviewer": c.reviewer,
            "corrected_at": c.created_at.isoformat(),
            "model_version": c.model_version,
            "pipeline_version": result.pipeline_version if result else None,
            "decision": outcome.decision if outcome else None,
            "predicted_fields": payload.get("fields"),
            "final_fields": outcome.fields if outcome else None,
            "line_items": (payload.get("fields") or {}).get("line_items") or [],
            "source": payload.get("source"),
        }
