"""Upload API load: can the portal upload >= 50 documents per second without losing one?

    python bench/upload_load.py [--count 1500] [--concurrency 16] [--workers 2] [--db URL]

Starts `claimflow serve` (a separate process) on 127.0.0.1, creates an insured person's API key,
sends `count` distinct small PNG invoices with at most `concurrency` requests in flight, then
checks in the store that every accepted upload is there (exact counts), re-sends a sample to see
the duplicates answered 200, and reports throughput and latency. Background processing runs
as configured (`--workers`, default 2: the real pipeline competes for the same 2 cores).
Loopback only; the server process is stopped at the end.
"""
from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def invoices(count: int, seed: int) -> list[bytes]:
    from PIL import Image, ImageDraw

    out = []
    for i in range(count):
        img = Image.new("L", (420, 160), 255)
        d = ImageDraw.Draw(img)
        d.text((10, 10), f"INVOICE {seed}-{i}", fill=0)
        d.text((10, 60), f"Total EUR {10 + i % 900}.{i % 100:02d}", fill=0)
        buf = io.BytesIO()
        img.save(buf, "PNG")
        out.append(buf.getvalue())
    return out


async def send_all(base: str, key: str, bodies: list[bytes], concurrency: int):
    import httpx

    sem = asyncio.Semaphore(concurrency)
    statuses: Counter = Counter()
    latencies: list[float] = []
    ids: dict[int, str] = {}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        async def one(i: int, body: bytes):
            async with sem:
                t = time.perf_counter()
                try:
                    r = await client.post("/api/v1/documents", headers={"X-API-Key": key},
                                          files={"file": (f"inv-{i}.png", body, "image/png")})
                except httpx.HTTPError as e:
                    statuses[f"error:{type(e).__name__}"] += 1
                    return
                latencies.append((time.perf_counter() - t) * 1000)
                statuses[r.status_code] += 1
                if r.status_code in (200, 202):
                    ids[i] = r.json()["document_id"]

        t0 = time.perf_counter()
        await asyncio.gather(*(one(i, b) for i, b in enumerate(bodies)))
        elapsed = time.perf_counter() - t0
    return statuses, latencies, ids, elapsed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=1500)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--workers", type=int, default=2, help="server's background processing threads")
    ap.add_argument("--db", default=None, help="store URL (default: a fresh SQLite file)")
    args = ap.parse_args()

    from sqlalchemy import func, select

    from pipeline.db import session_factory
    from pipeline.store_review import Upload
    from review import auth

    url = args.db or f"sqlite:///{tempfile.mkdtemp(prefix='claimflow-upload-')}/store.sqlite"
    sessions = session_factory(url)
    insured = f"P-BENCH-{int(time.time())}"
    with sessions.begin() as s:
        key = auth.new_api_key(s, "bench", insured)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "serve", "--host", "127.0.0.1",
                              "--port", str(port), "--db", url, "--workers", str(args.workers)],
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        import httpx

        end = time.monotonic() + 60
        while True:
            try:
                httpx.get(base + "/openapi.json", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                if time.monotonic() > end or server.poll() is not None:
                    raise SystemExit("server did not start: " + server.stderr.read().decode()[-2000:])
                time.sleep(0.2)

        bodies = invoices(args.count, int(time.time()))
        statuses, lat, ids, elapsed = asyncio.run(send_all(base, key, bodies, args.concurrency))
        dup_status, _, dup_ids, _ = asyncio.run(send_all(base, key, bodies[:50], args.concurrency))

        with sessions() as s:
            rows = dict(s.execute(select(Upload.document_id, Upload.state)
                                  .where(Upload.insured_id == insured)).all())
            states = Counter(rows.values())
            stored = s.scalar(select(func.count()).select_from(Upload)
                              .where(Upload.insured_id == insured))
        accepted = statuses.get(202, 0)
        lost = [i for i, d in ids.items() if d not in rows]
        lat.sort()
        report = {
            "db": url.split("?")[0].split("@")[-1],
            "sent": args.count, "concurrency": args.concurrency, "server_workers": args.workers,
            "statuses": {str(k): v for k, v in statuses.items()},
            "elapsed_s": round(elapsed, 2),
            "uploads_per_s": round(args.count / elapsed, 1),
            "latency_ms": {"p50": round(statistics.median(lat), 1),
                           "p95": round(lat[int(0.95 * (len(lat) - 1))], 1),
                           "max": round(lat[-1], 1)} if lat else None,
            "stored_uploads": stored, "accepted_202": accepted,
            "lost": len(lost) + (args.count - len(ids)),
            "duplicates_resent": 50, "duplicate_statuses": {str(k): v for k, v in dup_status.items()},
            "duplicates_same_id": sum(1 for i, d in dup_ids.items() if ids.get(i) == d),
            "job_states_at_end": dict(states),
        }
        print(json.dumps(report, indent=2))
        ok = (stored == args.count == accepted and not report["lost"]
              and dup_status.get(200, 0) == 50)
        sys.exit(0 if ok else 1)
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    main()
