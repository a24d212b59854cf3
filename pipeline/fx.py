"""Invoice amounts to EUR at the rate of the invoice date, offline by default.

Providers, in order: ECB reference rates in the store (the bundled history is loaded lazily
on first use), legal pegs (`fx_pegs.json`) through their anchor's rate on the same date, rates
cached earlier from the online provider, and the online provider itself (forex-python) when
configured (CLAIMFLOW_FX_ONLINE=1 or `online=True`).

Rate date rule: the rate published on the invoice date, else on the last earlier day with a
published rate, at most 7 days back; never a later rate. Inside the stored ECB range a day
without a rate is a day the ECB did not publish; beyond it (or for online-cached rates) only
weekends and TARGET holidays may be skipped, as the ECB may have published on the others.

Pegged rates through USD are `usd_rate * per_anchor` rounded half-up to 6 decimals
(`PEG_DECIMALS`); EUR-anchored pegs use the legal rate as written.
"""
from __future__ import annotations

import json
import threading
import time
import weakref
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Context, Decimal
from pathlib import Path

from sqlalchemy import String, event, select, type_coerce
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from pipeline import fx_ecb, fx_online
from pipeline.fx_calendar import is_publishing_day
from pipeline.store import FxRate

MAX_DAYS_BACK = 7
PEG_DECIMALS = 6
CENT = Decimal("0.01")
_PEG_Q = Decimal(1).scaleb(-PEG_DECIMALS)
_CTX = Context(prec=34, rounding=ROUND_HALF_UP)
_ONE = Decimal(1)
_UPDATE_HINT = (f"run `claimflow rates update --file eurofxref-hist.zip` with a newer ECB file "
                f"({fx_ecb.ECB_URL}) or use the online provider")
_OFFLINE_PAUSE = 60.0  # seconds without online attempts after a network failure
RECHECK_SECONDS = 60.0  # on a miss, look for rates stored by other processes at most this often


@dataclass(frozen=True)
class Conversion:
    amount: Decimal  # EUR, half-up to cents
    rate: Decimal  # units of the invoice currency per 1 EUR, as published
    rate_date: date
    source: str  # "ECB", "identity", "peg:AED/USD", "forex-python"

    def as_contract(self) -> dict:
        return {"amount": format(self.amount, "f"), "rate": format(self.rate, "f"),
                "rate_date": self.rate_date.isoformat(), "source": self.source}


class NoRate(Exception):
    def __init__(self, currency: str, day: date, detail: str):
        super().__init__(f"no rate for {currency} on {day}: {detail}")
        self.currency = currency
        self.day = day
        self.detail = detail

    @property
    def reason(self) -> str:
        return f"no_rate:{self.currency}"


@dataclass(frozen=True)
class Peg:
    anchor: str
    per_anchor: Decimal
    valid_from: date
    source: str


def _load_pegs() -> dict[str, Peg]:
    raw = json.loads((Path(__file__).with_name("fx_pegs.json")).read_text(encoding="utf-8"))
    return {code: Peg(v["anchor"], Decimal(v["per_anchor"]), date.fromisoformat(v["valid_from"]),
                      v["source"])
            for code, v in raw.items() if not code.startswith("_")}


PEGS = _load_pegs()


class _Series:
    """One currency's rates from one source, sorted by day (ordinals; rates as stored text)."""

    __slots__ = ("days", "texts")

    def __init__(self, pairs: list[tuple[int, str]]):  # (day ordinal, rate text)
        pairs = sorted(pairs)
        self.days = [d for d, _ in pairs]
        self.texts = [t for _, t in pairs]


def _pick(series: _Series | None, day: date, known_until: date | None):
    """(rate, rate_date) or a reason tuple, per the rate-date rule."""
    if series is None:
        return None, ("none",)
    n = day.toordinal()
    i = bisect_right(series.days, n) - 1
    if i < 0:
        return None, ("before", date.fromordinal(series.days[0]))
    found = series.days[i]
    if n - found > MAX_DAYS_BACK:
        return None, ("gap", date.fromordinal(found))
    start = found if known_until is None else max(found, known_until.toordinal())
    for o in range(start + 1, n + 1):
        if is_publishing_day(date.fromordinal(o)):
            return None, ("unknown", date.fromordinal(o))
    return (Decimal(series.texts[i]), date.fromordinal(found)), None


class _Cache:
    """Per engine: the stored ECB range and, per currency, its series loaded once."""

    def __init__(self, session: Session):
        self.lock = threading.Lock()
        self.series: dict[str, dict[str, _Series]] = {}
        self.fetched: dict[date, tuple[date, dict[str, str]] | str] = {}
        self.offline_until = 0.0
        self.checked = time.monotonic()
        self.first, self.end = fx_ecb.span(session)
        if self.end is None:
            _write(session, fx_ecb.load_into)
            self.first, self.end = fx_ecb.span(session)

    def of(self, session: Session, currency: str) -> dict[str, _Series]:
        got = self.series.get(currency)
        if got is None:
            with self.lock:
                got = self.series.get(currency)
                if got is None:
                    got = self._load(session, currency)
                    self.series[currency] = got
        return got

    @staticmethod
    def _load(session: Session, currency: str) -> dict[str, _Series]:
        """The currency's rates per source, read once per process: the day as the stored text
        on SQLite, parsed here (20-28 -> 15-20 ms per currency against SQLAlchemy's date
        type), or a date from drivers that parse it themselves (psycopg)."""
        by_source: dict[str, list[tuple[int, str]]] = {}
        for day, rate, source in session.connection().execute(
                select(type_coerce(FxRate.day, String), FxRate.rate, FxRate.source)
                .where(FxRate.currency == currency)):
            day = date.fromisoformat(day) if isinstance(day, str) else day
            by_source.setdefault(source, []).append((day.toordinal(), rate))
        return {src: _Series(pairs) for src, pairs in by_source.items()}


_caches: "weakref.WeakKeyDictionary[Engine, _Cache]" = weakref.WeakKeyDictionary()
_caches_lock = threading.RLock()


def _engine(session: Session) -> Engine:
    bind = session.get_bind()
    return getattr(bind, "engine", bind)  # a session bound to a Connection


def _cache_for(session: Session) -> _Cache:
    engine = _engine(session)
    cache = _caches.get(engine)
    if cache is None:
        with _caches_lock:
            cache = _caches.get(engine)
            if cache is None:
                cache = _Cache(session)
                _caches[engine] = cache
    return cache


def clear_cache(engine: Engine | None = None) -> None:
    """Forget cached rates (of one engine, or all), e.g. after `rates update`."""
    with _caches_lock:
        if engine is None:
            _caches.clear()
        else:
            _caches.pop(engine, None)


def _write(session: Session, fn) -> None:
    """Run fn(connection) in its own committed transaction; on SQLite, when the caller's
    transaction already holds the write lock, inside a savepoint of the caller's session
    instead (a second writer would wait for the lock the caller holds); the rows then live
    or die with the caller's transaction, so a rollback also drops the in-process cache."""
    engine = _engine(session)
    if engine.dialect.name == "sqlite":
        dbapi = session.connection().connection.dbapi_connection
        if getattr(dbapi, "in_transaction", False):
            event.listen(session, "after_rollback", lambda _s: clear_cache(engine), once=True)
            try:
                with session.begin_nested():
                    fn(session.connection())
            except IntegrityError:
                pass
            return
    for _ in range(3):
        try:
            with engine.begin() as conn:
                fn(conn)
            return
        except IntegrityError:
            return  # another process stored the same rows first
        except OperationalError:
            continue
    raise RuntimeError("could not write to fx_rates (store locked)")


def _store_online(conn, published: date, rates: dict[str, str]) -> None:
    table = FxRate.__table__
    have = set(conn.execute(select(table.c.currency).where(
        table.c.day == published, table.c.source == fx_online.SOURCE)).scalars())
    rows = [{"currency": c, "day": published, "source": fx_online.SOURCE, "rate": r}
            for c, r in rates.items() if c not in have]
    if rows:
        conn.execute(table.insert(), rows)


def _fetch(session: Session, cache: _Cache, day: date):
    """The online answer for `day` (fetched once per process), or an error text."""
    got = cache.fetched.get(day)
    if got is not None:
        return got
    if time.monotonic() < cache.offline_until:
        return "online provider unreachable a moment ago"
    try:
        published, rates = fx_online.fetch(day)
    except fx_online.OnlineError as exc:
        cache.offline_until = time.monotonic() + _OFFLINE_PAUSE
        return f"online provider failed: {exc}"
    _write(session, lambda conn: _store_online(conn, published, rates))
    on = published.toordinal()
    with cache.lock:
        for code, text in rates.items():  # keep the in-process cache in step with the store
            series = cache.series.get(code)
            if series is not None:
                old = series.get(fx_online.SOURCE)
                pairs = [] if old is None else [
                    (d, t) for d, t in zip(old.days, old.texts) if d != on]
                series[fx_online.SOURCE] = _Series(pairs + [(on, text)])
    cache.fetched[day] = (published, rates)
    return published, rates


def _direct(session: Session, cache: _Cache, cur: str, day: date, online: bool, notes: list):
    """(rate, rate_date, source) from the ECB, the online cache or online; else None + notes."""
    series = cache.of(session, cur)
    hit, why = _pick(series.get(fx_ecb.SOURCE), day, cache.end)
    if hit:
        return hit[0], hit[1], fx_ecb.SOURCE
    ecb_why = why
    hit, _ = _pick(series.get(fx_online.SOURCE), day, None)
    if hit:
        return hit[0], hit[1], fx_online.SOURCE
    if cache.end is not None and day > cache.end and ecb_why[0] != "none":
        notes.append(f"the ECB rates in the store end on {cache.end}; {_UPDATE_HINT}")
    elif ecb_why[0] == "none":
        notes.append(f"the ECB reference rates do not include {cur}")
    elif ecb_why[0] == "before":
        notes.append(f"{day} is before the ECB series for {cur} begins ({ecb_why[1]})")
    elif ecb_why[0] == "gap":
        notes.append(f"the last ECB rate for {cur} up to {day} is from {ecb_why[1]}, "
                     f"more than {MAX_DAYS_BACK} days earlier")
    if not online:
        notes.append("online provider not configured (set CLAIMFLOW_FX_ONLINE=1 to use it)")
        return None
    got = _fetch(session, cache, day)
    if isinstance(got, str):
        notes.append(got)
        return None
    published, rates = got
    if cur not in rates:
        notes.append(f"the online provider has no {cur} rate for {day}")
        return None
    if (day - published).days > MAX_DAYS_BACK:
        notes.append(f"the online provider's last {cur} rate is from {published}, "
                     f"more than {MAX_DAYS_BACK} days before {day}")
        return None
    return Decimal(rates[cur]), published, fx_online.SOURCE


def _as_date(day) -> date:
    if isinstance(day, datetime):
        return day.date()
    if isinstance(day, date):
        return day
    raise TypeError(f"day must be a date, not {type(day).__name__}")


def _to_eur(amount: Decimal, rate: Decimal) -> Decimal:
    return _CTX.divide(amount, rate).quantize(CENT, rounding=ROUND_HALF_UP)


def convert(session: Session, amount: Decimal, currency: str, day: date,
            *, online: bool | None = None) -> Conversion:
    """`amount` of `currency` in EUR at the rate of `day`; raises NoRate when none applies.

    On a miss the store is looked at again (at most every RECHECK_SECONDS) for rates that
    another process stored since this one cached them (`rates update`, online rates)."""
    try:
        return _convert(session, amount, currency, day, online)
    except NoRate:
        cache = _cache_for(session)
        if time.monotonic() - cache.checked < RECHECK_SECONDS:
            raise
        cache.checked = time.monotonic()
        if fx_ecb.span(session) != (cache.first, cache.end):
            clear_cache(_engine(session))
        else:
            with cache.lock:
                cache.series.clear()
        return _convert(session, amount, currency, day, online)


def _convert(session: Session, amount, currency: str, day, online: bool | None) -> Conversion:
    if not isinstance(amount, Decimal):
        if isinstance(amount, (int, str)):  # never float: money stays exact
            amount = Decimal(amount)
        else:
            raise TypeError(f"amount must be a Decimal, not {type(amount).__name__}")
    day = _as_date(day)
    cur = (currency or "").strip().upper()
    if cur == "EUR":
        return Conversion(amount.quantize(CENT, rounding=ROUND_HALF_UP), _ONE, day, "identity")
    if len(cur) != 3 or not cur.isalpha() or not cur.isascii():
        raise NoRate(cur or "?", day, f"not a currency code: {currency!r}")
    cache = _cache_for(session)
    use_online = fx_online.enabled(online)
    notes: list[str] = []
    peg = PEGS.get(cur)
    if peg is not None and day >= peg.valid_from:
        source = f"peg:{cur}/{peg.anchor}"
        if peg.anchor == "EUR":
            return Conversion(_to_eur(amount, peg.per_anchor), peg.per_anchor, day, source)
        anchor = _direct(session, cache, peg.anchor, day, use_online, notes)
        if anchor is None:
            raise NoRate(cur, day, f"{cur} is pegged to {peg.anchor} but: " + "; ".join(notes))
        rate = _CTX.multiply(anchor[0], peg.per_anchor).quantize(_PEG_Q, rounding=ROUND_HALF_UP)
        return Conversion(_to_eur(amount, rate), rate, anchor[1], source)
    hit = _direct(session, cache, cur, day, use_online, notes)
    if hit is None:
        raise NoRate(cur, day, "; ".join(notes))
    return Conversion(_to_eur(amount, hit[0]), hit[0], hit[1], hit[2])
