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
    print(f"first use (bundled history loaded into the store + first lookup): {first:.2f} s")
    print(f"{args.n} conversions in {took:.2f} s on one core: {args.n / took:,.0f} per second "
          f"({ok} converted, {misses} NoRate)")


if __name__ == "__main__":
    main()
