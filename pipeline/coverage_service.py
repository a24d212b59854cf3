"""Coverage inside the pipeline: lock the insured, read usage, evaluate, replace this document's usage."""
from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from coverage.claim import ClaimError, parse_claim
from coverage.evaluator import Evaluation, Reason, evaluate, usage_periods
from coverage.insured import InsuredPerson
from coverage.tables import get_table
from pipeline import usage


def _pending(person: InsuredPerson, code: str, key: str, message: str) -> dict:
    article = get_table(person.product).articles[key]
    return Evaluation("pending_information", reasons=[Reason(code, article, message, True)]).as_contract()


def evaluate_claim(session: Session, insured: InsuredPerson, fields: dict, eur, document_id: str, *,
                   facts: dict | None = None, today: date | None = None,
                   no_rate_detail: str | None = None) -> dict:
    """The contract's `coverage` object for one document; updates usage in `session`'s transaction.

    `fields` may carry reviewer facts under "facts" (or pass `facts`). `eur` is a pipeline.fx
    Conversion or None (no rate: pending_information `no_rate`). A pending or failed evaluation
    leaves the document without usage rows, so a later re-evaluation starts clean.
    """
    usage.lock(session, insured.insured_id, insured.raw_json if insured.raw else None)
    try:
        claim = parse_claim(fields, facts if facts is not None else (fields or {}).get("facts"))
    except ClaimError as e:
        usage.record(session, insured.insured_id, document_id, {})
        return _pending(insured, f"missing_field_{e.field.split('[')[0].replace('.', '_')}"
                        if e.message == "missing" else "invalid_field", "deadline",
                        f"The invoice field {e.field} is {e.message}: what is the right value?")
    if eur is None:
        usage.record(session, insured.insured_id, document_id, {})
        detail = f" ({no_rate_detail})" if no_rate_detail else ""
        return _pending(insured, "no_rate", "currency",
                        f"No exchange rate for {claim.currency} on {claim.invoice_date}{detail}: "
                        "what is the EUR amount?")
    current = usage.load(session, insured.insured_id, exclude_document=document_id,
                         periods=usage_periods(insured, claim))
    result = evaluate(insured, claim, eur.amount, current, today=today)
    usage.record(session, insured.insured_id, document_id, result.entries)
    return result.as_contract()
