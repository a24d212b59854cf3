"""Queue page render time with many review items in the store (target: < 300 ms at 100,000).

    python bench/queue_render.py [--items 100000] [--runs 30] [--db URL]

Default store: PostgreSQL at 127.0.0.1:5432, database `test`, in a schema `bench_queue` that is
dropped and refilled (bulk inserts of documents, results and review items). The app runs under
uvicorn on 127.0.0.1; a logged-in client requests /queue over HTTP and the wall time of each
request (server render + loopback) is reported: default order, a country filter, sort by amount.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import socket
import statistics
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def pg_schema_url(schema: str) -> str:
    from sqlalchemy import create_engine, text

    admin = create_engine(PG)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    admin.dispose()
    return f"{PG}?options=-csearch_path%3D{schema}"


def fill(sessions, count: int, batch: int = 5000) -> None:
    from sqlalchemy import insert

    from pipeline.routing import priority
    from pipeline.store import Document, Original, Result, ReviewItem, utcnow

    rng = random.Random(7)
    countries = ["DE", "TH", "FR", "ES", "NL", "US", "AE", "IN", "BE", "IT"]
    types = ["physiotherapy", "dental", "specialist", "medication", "hospital_admission"]
    pool = ["low_confidence:total_amount", "low_confidence:country", "low_confidence:treatment_type",
            "no_rate:THB", "coverage:prior_authorisation", "audit_sample"]
    now = utcnow()
    next_id = 1
    for start in range(0, count, batch):
        originals, docs, results, items = [], [], [], []
        for i in range(start, min(count, start + batch)):
            data = f"bench invoice {i}".encode()
            digest = hashlib.sha256(data).hexdigest()
            when = now - timedelta(minutes=rng.randint(0, 60 * 24 * 30))
            amount = f"{rng.uniform(5, 8000):.2f}"
            reasons = rng.sample(pool, rng.randint(1, 2))
            conf = round(rng.uniform(0.2, 0.99), 2)
            fields = {"invoice_date": "2026-03-14", "invoice_number": f"R-{i}", "provider_name":
                      "Clinic", "patient_name": "A. B.", "country": rng.choice(countries),
                      "currency": "EUR", "total_amount": amount,
                      "treatment_type": rng.choice(types), "setting": "outpatient", "line_items": []}
            payload = {"document_id": digest, "source": f"bench-{i}.pdf", "status": "needs_review",
                       "error": None, "review_reasons": reasons, "fields": fields,
                       "confidence": {"overall": conf, "total_amount": conf},
                       "eur": {"amount": amount, "rate": "1", "rate_date": "2026-03-14",
                               "source": "identity"}, "coverage": None}
            originals.append({"sha256": digest, "size": len(data), "kind": "pdf", "data": data,
                              "created_at": when})
            docs.append({"id": digest, "source": payload["source"], "insured_id": None,
                         "status": "needs_review", "current_result_id": next_id,
                         "created_at": when, "updated_at": when})
            results.append({"id": next_id, "document_id": digest, "status": "needs_review",
                            "pipeline_version": "bench", "model_version": None,
                            "rules_version": None, "payload": payload, "evidence": None,
                            "changes": None, "created_at": when})
            items.append({"document_id": digest, "result_id": next_id, "reasons": reasons,
                          "state": "open", "priority": priority(amount, reasons, conf),
                          "audit_sample": "audit_sample" in reasons, "claimed_by": None,
                          "claimed_at": None, "created_at": when})
            next_id += 1
        with sessions.begin() as s:
            s.execute(insert(Original), originals)
            s.execute(insert(Document), docs)
            s.execute(insert(Result), results)
            s.execute(insert(ReviewItem), items)
    with sessions.begin() as s:
        if s.get_bind().dialect.name == "postgresql":
            from sqlalchemy import text

            s.execute(text("SELECT setval(pg_get_serial_sequence('results', 'id'), "
                           "(SELECT max(id) FROM results))"))
    engine = sessions.kw["bind"]
    if engine.dialect.name == "postgresql":
        with engine.begin() as c:
            c.exec_driver_sql("ANALYZE")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--db", default=None, help="store URL (default: PostgreSQL schema bench_queue)")
    ap.add_argument("--keep", action="store_true", help="reuse the filled store (skip filling)")
    args = ap.parse_args()

    import httpx
    import uvicorn

    from pipeline.db import session_factory
    from review import auth
    from review.app import Settings, create_app

    url = args.db or (f"{PG}?options=-csearch_path%3Dbench_queue" if args.keep
                      else pg_schema_url("bench_queue"))
    sessions = session_factory(url)
    if not args.keep:
        t = time.perf_counter()
        fill(sessions, args.items)
        print(f"filled {args.items} items in {time.perf_counter() - t:.1f} s", file=sys.stderr)
        with sessions.begin() as s:
            auth.add_user(s, "bench", "reviewer", "bench-password")
        from review.queue import sync_facts

        t = time.perf_counter()
        with sessions() as s:  # steady state: the app copies facts of new items as they come
            n = sync_facts(s)
        print(f"copied facts of {n} items in {time.perf_counter() - t:.1f} s", file=sys.stderr)

    app = create_app(url, Settings(workers=0), processor=lambda *a: {})
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.02)
    base = f"http://127.0.0.1:{port}"
    with httpx.Client(base_url=base, follow_redirects=True, timeout=60) as client:
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
        r = client.post("/login", data={"name": "bench", "password": "bench-password",
                                        "csrf": token, "next": "/queue"})
        assert r.status_code == 200 and "Review queue" in r.text, r.status_code
        total = re.search(r"<small>(\d+) items</small>", r.text).group(1)
        out = {"items_in_queue": int(total), "db": url.split("?")[0].split("@")[-1]}
        for name, path in (("default", "/queue"), ("country_filter", "/queue?country=TH"),
                           ("sort_amount", "/queue?sort=amount"), ("deep_page", f"/queue?page_no={max(1, min(100, int(total) // 50))}")):
            client.get(path)  # warm
            times = []
            for _ in range(args.runs):
                t = time.perf_counter()
                r = client.get(path)
                times.append((time.perf_counter() - t) * 1000)
                assert r.status_code == 200 and "<tr data-item=" in r.text
            times.sort()
            out[name] = {"median_ms": round(statistics.median(times), 1),
                         "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
                         "max_ms": round(times[-1], 1)}
    server.should_exit = True
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
