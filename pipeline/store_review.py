"""Tables of the review app and the upload API (same Base as pipeline.store; migration 0003).

Review item states used by the app: open | claimed | escalated | waiting | done | superseded.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON, Boolean, DateTime, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column

from pipeline.store import Base, utcnow


class ReviewUser(Base):
    """A reviewer or supervisor account; password hashed with argon2."""

    __tablename__ = "review_users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))  # reviewer | supervisor
    password_hash: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ReviewSession(Base):
    """A logged-in browser: the cookie holds a random token, the store only its sha256."""

    __tablename__ = "review_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("review_users.id"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ApiKey(Base):
    """An upload-API key. insured_id set: the key of one insured person; None: a portal key
    that names the insured person per request (form field / X-Insured-Id header)."""

    __tablename__ = "api_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    insured_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Upload(Base):
    """One portal upload: bytes (in originals) for one insured person, and its processing job."""

    __tablename__ = "uploads"
    __table_args__ = (
        UniqueConstraint("document_id", "insured_id", name="uq_upload_doc_insured"),
        Index("ix_uploads_state", "state", "id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(String(64), ForeignKey("originals.sha256"))
    insured_id: Mapped[str] = mapped_column(String(64))
    api_key_id: Mapped[int | None] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default="queued")  # queued|running|done|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditEntry(Base):
    """Append-only: who did what to a review item, when, with the value before and after."""

    __tablename__ = "review_audit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("review_items.id"), index=True)
    document_id: Mapped[str | None] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))  # claim, release, edit, approve, reject, ...
    field: Mapped[str | None] = mapped_column(String(64))
    before: Mapped[object | None] = mapped_column(JSON)
    after: Mapped[object | None] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ReviewOutcome(Base):
    """The final word on one review item: decision, final fields, and whether the reviewer
    changed anything against the automatic result (for the audit-sample error rate)."""

    __tablename__ = "review_outcomes"
    item_id: Mapped[int] = mapped_column(Integer, ForeignKey("review_items.id"), primary_key=True)
    document_id: Mapped[str] = mapped_column(String(64), index=True)
    decision: Mapped[str] = mapped_column(String(24))  # approved | rejected | info_requested
    reason: Mapped[str | None] = mapped_column(Text)
    reviewer: Mapped[str] = mapped_column(String(64))
    fields: Mapped[dict] = mapped_column(JSON)
    eur: Mapped[dict | None] = mapped_column(JSON)
    coverage: Mapped[dict | None] = mapped_column(JSON)
    changed: Mapped[bool] = mapped_column(Boolean, default=False)
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Correction(Base):
    """A field a reviewer corrected: a labelled example for retraining."""

    __tablename__ = "review_corrections"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[int] = mapped_column(Integer, ForeignKey("review_items.id"))
    document_id: Mapped[str] = mapped_column(String(64), index=True)
    result_id: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(64))
    predicted: Mapped[object | None] = mapped_column(JSON)
    corrected: Mapped[object | None] = mapped_column(JSON)
    confidence: Mapped[float | None] = mapped_column(JSON)
    reviewer: Mapped[str] = mapped_column(String(64))
    model_version: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ReviewItemFacts(Base):
    """Queue filter/sort columns copied out of the result JSON (kept in step by review.queue),
    so filtering 100,000 items does not parse 100,000 JSON payloads."""

    __tablename__ = "review_item_facts"
    item_id: Mapped[int] = mapped_column(Integer, ForeignKey("review_items.id"), primary_key=True)
    country: Mapped[str | None] = mapped_column(String(8), index=True)
    treatment_type: Mapped[str | None] = mapped_column(String(64), index=True)
    eur_amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2), index=True)


class AppendOnly(Exception):
    pass


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _audit_is_append_only(_mapper, _conn, _target) -> None:
    raise AppendOnly("review_audit is append-only")
