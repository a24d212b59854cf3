"""Reprocessing a stored backlog (e.g. after a rules or model update) with and without its stored
readings, per kind of invoice.

    python bench/reuse.py [--text N] [--scans N] [--seed S] [--workdir DIR] [--workers W]

Generates invoices with samples/generate.py, processes them once into a fresh SQLite store, then
reprocesses every stored document (`--query all`) twice: starting from the stored readings (the
default) and with --reread (parsing and OCR again). Prints documents per minute (steady, as in
bench/throughput.py) for each, and how many results differ between the two (expected: none).
"""
from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def _run(db_url: str, workers: int, **kw) -> dict:
    from pipeline.cli_reprocess import run as reprocess

    args = dict(paths=[], document_ids=[], query=None, db_url=db_url, force=True, insured_file=None,
                workers=workers, dask_address=None, batch_size=None)
    return reprocess(**{**args, **kw})


def _payloads(db_url: str, run_id: int) -> dict[str, dict]:
    from sqlalchemy import select

    from pipeline.db import session_factory
    from pipeline.store import Result
    from pipeline.store_bulk import BulkItem

    with session_factory(db_url)() as s:
        rows = s.execute(select(BulkItem.document_id, Result.payload)
                         .join(Result, Result.id == BulkItem.result_id)
                         .where(BulkItem.run_id == run_id)).all()
    return {d: p for d, p in rows}


def main() -> None:
    from throughput import fresh_store, generate, pages_of, steady_rate

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--text", type=int, default=300)
    ap.add_argument("--scans", type=int, default=20)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="claimflow-reuse-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"workdir {work}; {os.cpu_count()} cores; {args.workers} workers", file=sys.stderr)
    for kind, count in (("text_pdf", args.text), ("scan", args.scans)):
        if count <= 0:
            continue
        out = work / kind
        files = generate(out, kind, count, args.seed)
        pages = pages_of(out, files)
        n_pages = sum(pages.values())
        pages.update({hashlib.sha256(f.read_bytes()).hexdigest(): pages[str(f.resolve())]
                      for f in files})  # the reprocess runs name stored documents by id
        db_url = fresh_store(work / f"reuse-{kind}.sqlite")
        first = _run(db_url, args.workers, paths=[str(out / "invoices")])
        rates = {}
        runs = {}
        for label, reread in (("stored reading", False), ("--reread", True)):
            s = _run(db_url, args.workers, query="all", reread=reread)
            rates[label] = steady_rate(db_url, s["run_id"], pages)[0]
            runs[label] = s
        a, b = (_payloads(db_url, runs[k]["run_id"]) for k in ("stored reading", "--reread"))
        differ = sum(1 for d in a if a[d] != b.get(d))
        print(f"\n{kind}: {len(files)} documents, {n_pages} pages; first pass "
              f"{first['done']} done, {first['failed']} failed results")
        for label, s in runs.items():
            print(f"  reprocess from {label:15s}: {60 * rates[label]:9.1f} docs/min (steady), "
                  f"{s['readings_reused']} readings reused, {s['done']}/{s['total']} done")
        print(f"  speed-up from the stored readings: {rates['stored reading'] / rates['--reread']:.1f}x; "
              f"results that differ between the two: {differ} of {len(a)}")


if __name__ == "__main__":
    main()
