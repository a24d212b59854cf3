"""pipeline.process.save: history, one claim per document and insured, the review queue."""
import hashlib

from sqlalchemy import event, func, select

from pipeline import process as P
from pipeline.db import session_factory
from pipeline.store import Claim, Document, Result, ReviewItem

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


def save(sessions, res: dict) -> P.Saved:
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


def test_a_stored_document_is_looked_up_once_and_saved_with_core_statements(sqlite_url):
    """One joined lookup gives the document and its previous result (two before); the history
    row's id and changes come back, and the rows read back as the ORM wrote them."""
    sessions = session_factory(sqlite_url)
    doc_id = original(sessions, b"%PDF-1.4 a third invoice")
    first = save(sessions, result(doc_id, "auto_processed", "10.00"))
    assert (first.changes, isinstance(first.id, int)) == (None, True)
    again = statements(sessions, result(doc_id, "needs_review", "12.00"))
    reads = [q for q in again[:again.index("INSERT INTO results")] if q.startswith("SELECT")]
    assert reads == ["SELECT documents.insured_id, documents.current_result_id,"]
    with sessions() as s:
        rows = s.scalars(select(Result).order_by(Result.id)).all()
        assert [r.payload["eur"]["amount"] for r in rows] == ["10.00", "12.00"]
        assert rows[1].changes["status"] == {"before": "auto_processed", "after": "needs_review"}
        assert all(r.created_at is not None and r.pipeline_version == "p" for r in rows)
        item = s.scalars(select(ReviewItem)).one()
        assert (item.result_id, item.state, float(item.priority)) == (rows[1].id, "open", 7.0)
        doc = s.get(Document, doc_id)
        assert (doc.current_result_id, doc.status) == (rows[1].id, "needs_review")
        assert doc.updated_at is not None and doc.created_at is not None


def test_a_later_insured_id_is_written_to_a_document_that_had_none(sqlite_url):
    sessions = session_factory(sqlite_url)
    doc_id = original(sessions, b"%PDF-1.4 whose invoice")
    save(sessions, result(doc_id, "auto_processed", "10.00"))
    with sessions.begin() as s:
        P.save(s, result(doc_id, "auto_processed", "10.00"), {}, P.Insured(person=_Person("P-9")),
               VERSIONS)
    with sessions() as s:
        assert s.get(Document, doc_id).insured_id == "P-9"
        assert sorted(s.scalars(select(Claim.insured_id))) == ["", "P-9"]


class _Person:
    def __init__(self, insured_id: str):
        self.insured_id, self.raw = insured_id, {"insured_id": insured_id}
