"""Coverage evaluations per second on one core against SQLite (target >= 2,000/s).

Each evaluation is what `claimflow evaluate` does after FX: lock the insured row, read their usage,
evaluate, replace the document's usage rows. Printed: the pure evaluator; one commit per claim with
db.py's pragmas (WAL, synchronous=NORMAL: no fsync per commit; what the pipeline runs); one commit
per claim with synchronous=FULL (an fsync per commit, so bound by the disk); 100 claims per
transaction. Wall-clock rates and rates per CPU
second of this process (what one core does when the machine is shared) are both printed.

    python bench/coverage_bench.py [--count 5000] [--insured 50] [--db URL]
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from coverage.claim import parse_claim  # noqa: E402
from coverage.evaluator import evaluate  # noqa: E402
from coverage.insured import parse_insured  # noqa: E402
from coverage.tables import tables  # noqa: E402
from pipeline.coverage_service import evaluate_claim  # noqa: E402
from pipeline.db import session_factory  # noqa: E402
from sqlalchemy import event  # noqa: E402

KINDS = [
    ("general_practice", "Consultation", {}),
    ("physiotherapy", "Physiotherapie 3x", {}),
    ("specialist", "Cardiology consult", {}),
    ("medication", "Rx Amoxicillin", {}),
    ("dental", "Filling", {"accident": True}),
    ("mental_health", "Psychotherapy session", {"sessions": 1}),
    ("laboratory", "Blood test", {}),
    ("hospital_admission", "Ward 2 nights", {"acute": True}),
]


@dataclass(frozen=True)
class Conv:
    amount: Decimal


def people(n: int):
    out = []
    for i in range(n):
        vv = i % 5 == 4
        data = {"insured_id": f"B-{i}", "product": "voorlopig_verblijf_nl" if vv else "oom_international",
                "deductible_eur": "250", "insurance_year_start": "2026-01-01", "policy_start": "2025-06-01",
                "date_of_birth": "1985-02-03", "country_of_origin": "IN", "nationality": "IN",
                "dutch_basic_insurance_duty": False}
        if not vv:
            data.update(coverage=("plus", "top")[i % 2], region=("A", "B", "C")[i % 3])
        out.append(parse_insured(data))
    return out


def claims(rng: random.Random, n: int):
    out = []
    for i in range(n):
        ttype, desc, facts = rng.choice(KINDS)
        amount = Decimal(rng.randint(2000, 90000)) / 100
        day = date(2026, 1, 1) + timedelta(days=rng.randint(0, 300))
        fields = {"invoice_date": day.isoformat(), "country": rng.choice(["DE", "FR", "NL", "BE", "TH"]),
                  "currency": "EUR", "total_amount": str(amount), "treatment_type": ttype,
                  "setting": "inpatient" if ttype == "hospital_admission" else "outpatient",
                  "line_items": [{"description": desc, "amount": str(amount), "treatment_type": ttype}]}
        out.append((f"doc-{i}", fields, facts, amount))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=5000)
    ap.add_argument("--insured", type=int, default=500)
    ap.add_argument("--db", default=None)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    rng = random.Random(args.seed)
    tables()
    folks = people(args.insured)
    work = claims(rng, args.count)
    base = args.db or f"sqlite:///{tempfile.mkdtemp(prefix='covbench-')}/bench"

    t0, c0 = time.perf_counter(), time.process_time()
    for i, (doc, fields, facts, amount) in enumerate(work):
        evaluate(folks[i % len(folks)], parse_claim(fields, facts), amount, {}, today=date(2026, 12, 31))
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"coverage evaluator, pure (no database): {len(work) / wall:,.0f} evaluations/s wall, "
          f"{len(work) / cpu:,.0f}/s per CPU second")

    modes = [("one transaction per claim, db.py pragmas (WAL, synchronous=NORMAL)", None, 1),
             ("one transaction per claim, synchronous=FULL", "full", 1),
             ("100 claims per transaction, db.py pragmas", None, 100)]
    if args.db:
        modes = [("one transaction per claim", None, 1)]
    for label, sync, batch in modes:
        url = base if args.db else f"{base}-{sync or 'default'}-{batch}.sqlite"
        sessions = session_factory(url)
        if sync:
            engine = sessions.kw["bind"]
            event.listen(engine, "connect", lambda c, _r: c.execute(f"PRAGMA synchronous={sync}"))
            engine.dispose()
        decisions: dict[str, int] = {}
        t0, c0 = time.perf_counter(), time.process_time()
        for start in range(0, len(work), batch):
            with sessions.begin() as s:
                for i in range(start, min(start + batch, len(work))):
                    doc, fields, facts, amount = work[i]
                    out = evaluate_claim(s, folks[i % len(folks)], fields, Conv(amount), doc, facts=facts,
                                         today=date(2026, 12, 31))
                    decisions[out["decision"]] = decisions.get(out["decision"], 0) + 1
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        rate = len(work) / wall
        verdict = "OK" if rate >= 2000 else "below"
        print(f"with usage in SQLite, {label}: {rate:,.0f} evaluations/s wall "
              f"(target >= 2,000/s: {verdict}); {len(work) / cpu:,.0f}/s per CPU second")
    print(f"({args.count} claims, {args.insured} insured; decisions of the last run: "
          + ", ".join(f"{k}={v}" for k, v in sorted(decisions.items())) + ")")


if __name__ == "__main__":
    main()
