"""Usage accumulators per insured person: UsageEntry rows per document, serialised per insured.

`lock(session, insured_id)` must run first in the transaction. On PostgreSQL it upserts the
`insured` row and takes it with SELECT ... FOR UPDATE; on SQLite the upsert is a write, which takes
the database's single write lock (WAL) until commit. Either way two evaluations of one insured
never interleave. The statements run on the session's own DBAPI connection (same transaction)
with plain SQL on the tables `insured` and `usage_entries` of pipeline/store.py: this is the hot
path of every evaluation.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from decimal import Decimal

from sqlalchemy.orm import Session

ZERO = Decimal("0")

_UPSERT = ("INSERT INTO insured (insured_id, profile, updated_at) VALUES (?, {json}, ?) "
           "ON CONFLICT (insured_id) DO UPDATE SET updated_at = excluded.updated_at, "
           "profile = COALESCE(excluded.profile, insured.profile)")
_FOR_UPDATE = "SELECT insured_id FROM insured WHERE insured_id = ? FOR UPDATE"
_LOAD = ("SELECT category, period, count, amount_eur FROM usage_entries "
         "WHERE insured_id = ? AND document_id <> ?")
_DELETE = "DELETE FROM usage_entries WHERE insured_id = ? AND document_id = ?"
_INSERT = ("INSERT INTO usage_entries (insured_id, document_id, category, period, count, amount_eur, "
           "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")


class _Raw:
    """The session's DBAPI connection with `?` placeholders on every driver."""

    def __init__(self, session: Session):
        conn = session.connection()
        self.dialect = conn.dialect.name
        self.pyformat = conn.dialect.paramstyle != "qmark"
        self.dbapi = conn.connection

    def sql(self, statement: str) -> str:
        return statement.replace("%", "%%").replace("?", "%s") if self.pyformat else statement

    def run(self, statement: str, params=(), many: bool = False):
        cur = self.dbapi.cursor()
        try:
            if many:
                cur.executemany(self.sql(statement), params)
            else:
                cur.execute(self.sql(statement), params)
            return cur.fetchall() if cur.description else cur.rowcount
        finally:
            cur.close()

    def now(self):
        now = datetime.now(timezone.utc)
        # SQLAlchemy keeps SQLite datetimes as naive ISO text; use the same format
        return now.replace(tzinfo=None).isoformat(" ", "microseconds") if self.dialect == "sqlite" else now


def lock(session: Session, insured_id: str, profile: dict | str | None = None) -> None:
    """Create the insured row if needed (storing `profile`, a dict or its JSON, when given) and
    lock it until commit."""
    raw = _Raw(session)
    doc = profile if profile is None or isinstance(profile, str) else json.dumps(profile, default=str)
    if raw.dialect == "postgresql":
        raw.run(_UPSERT.format(json="CAST(? AS JSON)"), (insured_id, doc, raw.now()))
        raw.run(_FOR_UPDATE, (insured_id,))
    else:
        raw.run(_UPSERT.format(json="?"), (insured_id, doc, raw.now()))


def load(session: Session, insured_id: str, exclude_document: str | None = None,
         periods: set[str] | None = None) -> dict:
    """(category, period) -> (count, amount EUR) summed over the insured's other documents.

    `periods` (optional) limits the read to those period keys plus event keys (`ev:`).
    """
    sql, params = _LOAD, [insured_id, exclude_document or ""]
    if periods:
        sql += f" AND (period IN ({', '.join('?' * len(periods))}) OR period LIKE ?)"
        params += sorted(periods) + ["ev:%"]
    out: dict = {}
    for category, period, count, amount in _Raw(session).run(sql, params):
        key = (category, period)
        c, a = out.get(key, (0, ZERO))
        out[key] = (c + (count or 0), a + Decimal(amount or "0"))
    return out


def record(session: Session, insured_id: str, document_id: str, entries: dict) -> None:
    """Replace this document's usage rows with `entries` ((category, period) -> (count, amount))."""
    raw = _Raw(session)
    raw.run(_DELETE, (insured_id, document_id))
    if entries:
        now = raw.now()
        raw.run(_INSERT, [(insured_id, document_id, cat, period, int(count), str(amount), now)
                          for (cat, period), (count, amount) in entries.items()], many=True)


def release(session: Session, insured_id: str, document_id: str) -> int:
    """A reversed claim gives its usage back: delete its rows (under the insured's lock)."""
    lock(session, insured_id)
    return _Raw(session).run(_DELETE, (insured_id, document_id)) or 0
