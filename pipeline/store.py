"""The store: originals, documents, results with history, claims, review queue, FX rates, usage.

Tables are plain SQLAlchemy 2 models; the schema is created by the Alembic migrations in
`pipeline/migrations` (never by `create_all` outside tests of the migrations themselves).
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import (
    JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, LargeBinary, Numeric, String,
    Text, UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    pass


class Original(Base):
    """Every uploaded file's bytes, content-addressed by sha256. Never deleted."""

    __tablename__ = "originals"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str | None] = mapped_column(String(16))  # pdf, png, jpeg, tiff, ... or None
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Document(Base):
    """One invoice document (same bytes = same document); points at its current result."""

    __tablename__ = "documents"
    id: Mapped[str] = mapped_column(String(64), ForeignKey("originals.sha256"), primary_key=True)
    source: Mapped[str] = mapped_column(Text)  # path or upload name as first given
    insured_id: Mapped[str | None] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16))  # auto_processed | needs_review | failed
    current_result_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Result(Base):
    """One processing of a document, kept forever: reprocessing adds a row, never overwrites."""

    __tablename__ = "results"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(String(64), ForeignKey("documents.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    pipeline_version: Mapped[str] = mapped_column(String(32))
    model_version: Mapped[str | None] = mapped_column(String(255))
    rules_version: Mapped[str | None] = mapped_column(String(255))
    payload: Mapped[dict] = mapped_column(JSON)  # the contract's result object
    evidence: Mapped[dict | None] = mapped_column(JSON)  # source boxes per field, page sizes
    changes: Mapped[dict | None] = mapped_column(JSON)  # what changed against the previous result
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Claim(Base):
    """A reimbursement claim: exactly one per document and insured person."""

    __tablename__ = "claims"
    __table_args__ = (UniqueConstraint("document_id", "insured_id", name="uq_claim_document_insured"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(String(64), ForeignKey("documents.id"))
    insured_id: Mapped[str] = mapped_column(String(64), default="")  # "" when not known yet
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ReviewItem(Base):
    """A document queued for a human reviewer, with the reasons why."""

    __tablename__ = "review_items"
    __table_args__ = (Index("ix_review_state_priority", "state", "priority"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(String(64), ForeignKey("documents.id"), index=True)
    result_id: Mapped[int] = mapped_column(Integer, ForeignKey("results.id"))
    reasons: Mapped[list] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), default="open")  # open | claimed | done | superseded
    priority: Mapped[float] = mapped_column(Numeric(18, 4), default=0)
    audit_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FxRate(Base):
    """Units of `currency` per 1 EUR published for `day` by `source`."""

    __tablename__ = "fx_rates"
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    source: Mapped[str] = mapped_column(String(32), primary_key=True)
    rate: Mapped[str] = mapped_column(String(32))  # decimal as text: exact on every backend


class UsageEntry(Base):
    """What one document used of an insured person's limits (counts, amounts, deductible).

    Accumulators are sums of these rows per insured, period and category, so reprocessing a
    document replaces its own rows and a reversal deletes them: usage never counts twice.
    """

    __tablename__ = "usage_entries"
    __table_args__ = (
        UniqueConstraint("insured_id", "document_id", "category", "period", name="uq_usage_doc_cat"),
        Index("ix_usage_insured_cat", "insured_id", "category", "period"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    insured_id: Mapped[str] = mapped_column(String(64))
    document_id: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(64))  # e.g. physiotherapy_sessions, deductible
    period: Mapped[str] = mapped_column(String(32))  # e.g. "2026", "2025-2026", "lifetime"
    count: Mapped[int] = mapped_column(Integer, default=0)
    amount_eur: Mapped[str] = mapped_column(String(32), default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Insured(Base):
    """One row per insured person: the row locked to serialise their coverage evaluations."""

    __tablename__ = "insured"
    insured_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    profile: Mapped[dict | None] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
