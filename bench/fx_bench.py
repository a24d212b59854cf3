"""FX speed: first load of the bundled ECB history into a fresh store, then conversions per
second served from the in-process cache on one core.

    python bench/fx_bench.py [--n 200000] [--db URL]
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline import fx  # noqa: E402
from pipeline.db import session_factory  # noqa: E402


def ecb_series() -> dict[str, dict[date, Decimal]]:
    """The bundled ECB history read with csv alone (no claimflow code): currency -> day -> rate."""
    import csv
    import io
    import zipfile
    from importlib.resources import files

    raw = files("currency_converter").joinpath("eurofxref-hist.zip").read_bytes()
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        text = z.read(z.namelist()[0]).decode()
    out: dict[str, dict[date, Decimal]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        day = date.fromisoformat(row["Date"])
        for cur, value in row.items():
            if cur and cur != "Date" and value and value.strip() not in ("", "N/A"):
                out.setdefault(cur.strip(), {})[day] = Decimal(value.strip())
    return out


def expected(series, amount: Decimal, cur: str, day: date):
    """EUR amount by the rule: the rate of the day or the last earlier one, at most 7 days back."""
    if cur == "EUR":
        return amount.quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
    peg = {"AED": Decimal("3.6725")}.get(cur)
    base = series.get("USD" if peg else cur, {})
    for back in range(8):
        rate = base.get(day - timedelta(days=back))
        if rate is not None:
            if peg:
                rate = (rate * peg).quantize(Decimal("0.000001"), rounding="ROUND_HALF_UP")
            return (amount / rate).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
    return None


def verify(factory, cases) -> int:
    """Count the conversions that differ from the independent computation (NoRate included)."""
    series = ecb_series()
    wrong = 0
    with factory() as session:
        for amount, cur, day in cases:
            try:
                got = fx.convert(session, amount, cur, day).amount
            except fx.NoRate:
                got = None
            if got != expected(series, amount, cur, day):
                wrong += 1
    return wrong


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--db", default=None, help="empty store URL (default: a temp SQLite file)")
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    url = args.db or f"sqlite:///{tempfile.mkdtemp()}/fx_bench.sqlite"
    factory = session_factory(url)
    rng = random.Random(7)
    currencies = ["USD", "GBP", "THB", "CHF", "JPY", "AED", "PLN", "TRY", "EUR"]
    start = date(2005, 1, 1)
    cases = [(Decimal(rng.randrange(100, 10_000_000)) / 100, rng.choice(currencies),
              start + timedelta(days=rng.randrange(0, 7600))) for _ in range(args.n)]
    with factory() as session:
        t0 = time.perf_counter()
        fx.convert(session, Decimal("1"), "USD", date(2024, 1, 2))
        first = time.perf_counter() - t0
        for cur in currencies:  # load each currency's series once
            fx.convert(session, Decimal("1"), cur, date(2024, 1, 2))
        ok = misses = 0
        t0 = time.perf_counter()
        for amount, cur, day in cases:
            try:
                fx.convert(session, amount, cur, day)
                ok += 1
            except fx.NoRate:
                misses += 1
        took = time.perf_counter() - t0
    wrong = verify(factory, cases)
    print(f"first use (bundled history loaded into the store + first lookup): {first:.2f} s")
    print(f"{args.n} conversions in {took:.2f} s on one core: {args.n / took:,.0f} per second "
          f"({ok} converted, {misses} NoRate)")
    print(f"checked against an independent reading of the ECB file: {len(cases) - wrong} of "
          f"{len(cases)} equal ({wrong} differ)")
    if wrong:
        sys.exit(1)


if __name__ == "__main__":
    main()
