"""Store queries that select documents for reprocessing.

A query is terms joined by `and`, each `FIELD OP VALUE` with OP one of = != < <= > >=:
  model_version != current        pipeline_version < 0.2.0      rules_version != current
  status = needs_review           review_queued < 2026-11-01    processed < 2026-11-01T12:00
  insured_id = P-1001             error = internal_error        all
Versions compare naturally (digit runs as numbers); `current` is this installation's version; a
document without a version is older than any version. Dates are UTC.
"""
from __future__ import annotations

import operator
import re
from datetime import date, datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pipeline.store import Document, Result, ReviewItem

OPS = {"=": operator.eq, "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
       ">": operator.gt, ">=": operator.ge}
VERSION_FIELDS = ("model_version", "pipeline_version", "rules_version")
DATE_FIELDS = ("review_queued", "processed")
TEXT_FIELDS = ("status", "insured_id", "error")
TERM = re.compile(r"^\s*([a-z_]+)\s*(==|!=|<=|>=|=|<|>)\s*(.+?)\s*$")


class QueryError(ValueError):
    pass


def version_key(value: str | None) -> tuple:
    if value is None:
        return (0,)
    return (1, *[(0, int(p), "") if p.isdigit() else (1, 0, p)
                 for p in re.findall(r"\d+|[^\d.+\-_]+", value)])


def parse_date(text: str) -> datetime:
    try:
        if len(text) == 10:
            d = date.fromisoformat(text)
            return datetime(d.year, d.month, d.day, tzinfo=timezone.utc)
        dt = datetime.fromisoformat(text)
    except ValueError:
        raise QueryError(f"not a date: {text!r} (use YYYY-MM-DD or YYYY-MM-DDTHH:MM)") from None
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def _utc(dt: datetime | None) -> datetime | None:
    if dt is None:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def parse(query: str) -> list[tuple[str, str, str]]:
    """[(field, op, value)]; raises QueryError naming what is wrong."""
    terms = []
    for part in re.split(r"\s+and\s+", query.strip(), flags=re.IGNORECASE):
        if part.strip().lower() == "all":
            continue
        m = TERM.match(part)
        if not m:
            raise QueryError(f"cannot read {part!r}: expected FIELD OP VALUE, e.g. "
                             "'model_version != current'")
        name, op, value = m.groups()
        if name not in VERSION_FIELDS + DATE_FIELDS + TEXT_FIELDS:
            raise QueryError(f"unknown field {name!r}; known: "
                             + ", ".join(VERSION_FIELDS + DATE_FIELDS + TEXT_FIELDS))
        if name in TEXT_FIELDS and op not in ("=", "==", "!="):
            raise QueryError(f"{name} can only be compared with = or !=")
        if name in DATE_FIELDS:
            parse_date(value)
        terms.append((name, op, value.strip("'\"")))
    return terms


def select_documents(session: Session, query: str, current: dict[str, str | None]) -> list[str]:
    """Ids of the documents matching `query`, oldest first. `current`: this install's versions."""
    terms = parse(query)
    queued = (select(ReviewItem.document_id, func.min(ReviewItem.created_at).label("queued"))
              .where(ReviewItem.state.in_(("open", "claimed")))
              .group_by(ReviewItem.document_id).subquery())
    rows = session.execute(
        select(Document.id, Document.status, Document.insured_id, Result.pipeline_version,
               Result.model_version, Result.rules_version, Result.created_at, Result.payload,
               queued.c.queued)
        .outerjoin(Result, Result.id == Document.current_result_id)
        .outerjoin(queued, queued.c.document_id == Document.id)
        .order_by(Document.created_at, Document.id)).all()
    out = []
    for row in rows:
        if all(_matches(row, name, op, value, current) for name, op, value in terms):
            out.append(row.id)
    return out


def _matches(row, name: str, op: str, value: str, current: dict) -> bool:
    cmp = OPS[op]
    if name in VERSION_FIELDS:
        target = current.get(name) if value == "current" else value
        return cmp(version_key(getattr(row, name)), version_key(target))
    if name in DATE_FIELDS:
        have = _utc(row.queued if name == "review_queued" else row.created_at)
        return have is not None and cmp(have, parse_date(value))
    if name == "error":
        have = ((row.payload or {}).get("error") or {}).get("code")
    else:
        have = getattr(row, name)
    return cmp(have or "", value)
