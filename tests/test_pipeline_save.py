"""pipeline.process.save: history, one claim per document and insured, the review queue."""
import hashlib

from sqlalchemy import event, func, select

from pipeline import process as P
from pipeline.db import session_factory
from pipeline.store import Claim, Result, ReviewItem

VERSIONS = {"pipeline_version": "p", "model_version": "m", "rules_version": "r"}


def result(doc_id: str, status: str, amount: str) -> dict:
    return {"document_id": doc_id, "source": "a.pdf", "status": status,
            "review_reasons": ["low_confidence:total_amount"] if status == "needs_review" else [],
            "confidence": {"overall": 0.5}, "eur": {"amount": amount}, "coverage": None,
            "fields": {"total_amount": amount}}


def original(sessions, data: bytes) -> str:
    doc_id = hashlib.sha256(data).hexdigest()
    with sessions.begin() as s:
        P.store_original(s, data, doc_id)
    return doc_id


def save(sessions, res: dict) -> Result:
    with sessions.begin() as s:
        return P.save(s, res, {}, None, VERSIONS)


def statements(sessions, res: dict) -> list[str]:
    seen: list[str] = []
    engine = sessions.kw["bind"]

    def note(conn, cursor, statement, *args):
        seen.append(" ".join(statement.split()[:3]))

    event.listen(engine, "before_cursor_execute", note)
    try:
        save(sessions, res)
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return seen


def test_a_new_result_supersedes_the_open_review_item_and_keeps_one_claim(sqlite_url):
    sessions = session_factory(sqlite_url)
    doc_id = original(sessions, b"%PDF-1.4 invoice")
    first = save(sessions, result(doc_id, "needs_review", "100.00"))
    second = save(sessions, result(doc_id, "needs_review", "120.00"))
    with sessions() as s:
        items = s.execute(select(ReviewItem.result_id, ReviewItem.state).order_by(ReviewItem.id)).all()
        assert [tuple(i) for i in items] == [(first.id, "superseded"), (second.id, "open")]
        assert s.get(Result, second.id).changes == {"eur_amount": {"before": "100.00", "after": "120.00"},
                                                    "total_amount": {"before": "100.00", "after": "120.00"}}
    save(sessions, result(doc_id, "auto_processed", "120.00"))
    with sessions() as s:
        assert s.scalars(select(ReviewItem.state).order_by(ReviewItem.id)).all() == ["superseded"] * 2
        assert s.scalar(select(func.count()).select_from(Claim)) == 1
        assert s.scalar(select(func.count()).select_from(Result)) == 3


def test_a_new_document_skips_the_claim_and_review_lookups(sqlite_url):
    """A document saved for the first time can have no claim or review item yet (foreign keys):
    the bulk path saves a statement or two per document by not looking."""
    sessions = session_factory(sqlite_url)
    doc_id = original(sessions, b"%PDF-1.4 another invoice")
    new = statements(sessions, result(doc_id, "needs_review", "80.00"))
    assert "SELECT claims.id FROM" not in new and "UPDATE review_items SET" not in new
    again = statements(sessions, result(doc_id, "needs_review", "90.00"))
    assert "SELECT claims.id FROM" in again and "UPDATE review_items SET" in again
