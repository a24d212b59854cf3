"""Checkpoint tables of bulk reprocessing runs (`claimflow reprocess`).

A run freezes its list of items when it starts; each item is marked done in the same transaction
that saves its result, so a run killed at any point resumes without losing or redoing a document.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pipeline.store import Base, utcnow


class BulkRun(Base):
    __tablename__ = "bulk_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)  # sha256 of the selection
    selection: Mapped[dict] = mapped_column(JSON)  # paths / ids / query as asked
    state: Mapped[str] = mapped_column(String(16), default="running")  # running | finished
    total: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=1)  # 1 + times resumed
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class BulkItem(Base):
    __tablename__ = "bulk_items"
    __table_args__ = (UniqueConstraint("run_id", "position", name="uq_bulk_item_position"),
                      Index("ix_bulk_items_claim", "run_id", "state", "id"),
                      Index("ix_bulk_items_document", "run_id", "document_id", "state"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(Integer, ForeignKey("bulk_runs.id"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(8))  # path | document
    ref: Mapped[str] = mapped_column(Text)  # the file path or the document id
    state: Mapped[str] = mapped_column(String(8), default="pending")  # pending | claimed | done | error
    document_id: Mapped[str | None] = mapped_column(String(64))
    result_id: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str | None] = mapped_column(String(16))  # the result's status
    changes: Mapped[dict | None] = mapped_column(JSON)  # Result.changes of the new result
    error: Mapped[str | None] = mapped_column(Text)  # why the item could not be processed
    worker: Mapped[str | None] = mapped_column(String(64))  # host:pid that claimed or finished it
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
