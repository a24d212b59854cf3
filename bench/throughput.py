"""Bulk throughput of `claimflow reprocess` with 1 and 2 local workers, per kind of invoice.

    python bench/throughput.py [--text N] [--scans N] [--seed S] [--workdir DIR] [--repeat R]

Generates invoices with samples/generate.py, runs the backlog flow on a fresh SQLite store per
run, and prints documents (and pages) per minute, the speed-up from 1 to 2 workers, peak memory
per worker, and the pipeline's overhead over raw reading: the 1-worker run's time per document
over the time its worker spent in `extractors.pages.read_pages` on the same documents (measured
at the same moments, so a shared VM's drifting speed does not count), with read_pages, field
extraction and the classifier timed alone in one process for the breakdown; the overhead is
printed again from the worker's bulk.WARM_ITEMS-th document on, for information (its first
documents also fill lasting caches: line descriptions, rate histories, locales). Rates are
steady-state: counted from the moment every worker finished its first document (model loading
and process start-up excluded; the wall-clock rate is printed too).
Targets: text PDFs >= 600 docs/min (2 workers); scans >= 60 pages/min (2 workers);
speed-up >= 1.7x; overhead <= 25 %; peak memory <= 1.5 GiB per worker.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from pipeline.bulk import TIMING_KEYS, WARM_ITEMS  # noqa: E402


def generate(out: Path, kind: str, count: int, seed: int) -> list[Path]:
    if not (out / "invoices").exists():
        subprocess.run([sys.executable, str(ROOT / "samples" / "generate.py"), "--out", str(out),
                        "--count", str(count), "--seed", str(seed), "--kinds", kind],
                       check=True, cwd=ROOT)
    return sorted((out / "invoices").iterdir())


def pages_of(out: Path, files: list[Path]) -> dict[str, int]:
    """Pages of each file (by absolute path), from the generator's truth."""
    pages = {}
    for f in files:
        truth = out / "truth" / f"{f.stem}.json"
        pages[str(f.resolve())] = json.loads(truth.read_text()).get("pages", 1) if truth.exists() else 1
    return pages


def stage_seconds(files: list[Path]) -> dict[str, float]:
    """Seconds per document of read_pages, extract_fields and the classifier alone (one process,
    after one warm-up file): the raw reading and the two analysis stages the pipeline adds.
    The garbage collector is settled after the warm-up as in a bulk worker (bulk.settle_gc):
    with CPython's defaults it adds ~1 ms to each read, which would count as reading time."""
    from extractors.fields import extract_fields
    from extractors.pages import read_pages
    from pipeline.bulk import settle_gc
    from pipeline.process import classify

    classify(extract_fields(read_pages(files[0].read_bytes())))
    settle_gc()
    out = {"read": 0.0, "fields": 0.0, "classify": 0.0}
    for f in files:
        data = f.read_bytes()
        t0 = time.perf_counter()
        pages = read_pages(data)
        t1 = time.perf_counter()
        ext = extract_fields(pages)
        t2 = time.perf_counter()
        classify(ext)
        t3 = time.perf_counter()
        out["read"] += t1 - t0
        out["fields"] += t2 - t1
        out["classify"] += t3 - t2
    return {k: v / len(files) for k, v in out.items()}


def steady_rate(db_url: str, run_id: int, pages: dict[str, int]) -> tuple[float, float, float]:
    """(documents and pages per second once every worker is warm, seconds of that window): the
    pages are those of the documents finished in the window, not an average over the run.
    `pages`: pages per file path, or per document id for runs over stored documents."""
    from sqlalchemy import select

    from pipeline.db import session_factory
    from pipeline.store_bulk import BulkItem

    with session_factory(db_url)() as s:
        rows = s.execute(select(BulkItem.worker, BulkItem.finished_at, BulkItem.ref)
                         .where(BulkItem.run_id == run_id, BulkItem.state == "done")).all()
    first: dict[str, float] = {}
    times = sorted(r.finished_at.timestamp() for r in rows)
    for r in rows:
        t = r.finished_at.timestamp()
        first[r.worker] = min(first.get(r.worker, t), t)
    t0 = max(first.values())
    after = [t for t in times if t > t0]
    window = times[-1] - t0
    paged = sum(pages[r.ref] if r.ref in pages else pages[os.path.realpath(r.ref)]
                for r in rows if r.finished_at.timestamp() > t0)
    if window <= 0 or not after:
        return float("nan"), float("nan"), window
    return len(after) / window, paged / window, window


def fresh_store(path: Path) -> str:
    """The URL of an empty SQLite store at `path` (an earlier one there is removed)."""
    from pipeline.db import dispose_all

    dispose_all()  # the store file is replaced: no engine of this process may keep the old one
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def run(folder: Path, workers: int, work: Path, tag: str, pages: dict[str, int]) -> dict:
    from pipeline.cli_reprocess import run as reprocess

    db_url = fresh_store(work / f"{tag}-w{workers}.sqlite")
    start = time.perf_counter()
    summary = reprocess(paths=[str(folder)], document_ids=[], query=None, db_url=db_url,
                        force=True, insured_file=None, workers=workers, dask_address=None,
                        batch_size=None)
    wall = time.perf_counter() - start
    rate, page_rate, window = steady_rate(db_url, summary["run_id"], pages)
    peak = max((w["peak_rss_bytes"] for w in summary["workers"].values()), default=0)
    ws = summary["workers"].values()
    steady = {k: sum(w.get(k, 0) for w in ws) for k in TIMING_KEYS}
    return {"docs": summary["done"], "failed": summary["failed"], "errors": len(summary["errors"]),
            "wall_s": wall, "steady_docs_per_s": rate, "steady_pages_per_s": page_rate,
            "window_s": window,
            "peak_rss_gib": peak / 2 ** 30, "workers_seen": len(summary["workers"]), **steady}


def _per_doc(r: dict, key: str) -> float:
    """Seconds per document of a run's steady figure `key` (steady_s, steady_read_s), summed
    over its workers."""
    n = r["steady_items"]
    return r[key] / n if n else float("nan")


def summarize(kind: str, documents: int, pages: int, stages: dict, r1: dict, r2: dict) -> dict:
    """The printed row of one kind from its best 1-worker (r1) and 2-worker (r2) runs.
    The overhead: the 1-worker run's time per document over its own time in read_pages on the
    same documents at the same moments (a shared VM's speed drifts between runs). The 2-worker
    run's figures are there too, for information: read_pages alone runs as fast in two processes
    at once as in one here (two processes reading halves of 300 text PDFs: within 1-2 % of each
    alone), so a slower read in the 2-worker run is the machine's speed at that moment, and a
    larger overhead there is what the two workers cost each other (field extraction and the
    classifier ran up to ~40 % slower in two processes at once)."""
    per_doc, read = _per_doc(r1, "steady_s"), _per_doc(r1, "steady_read_s")
    per_doc2, read2 = _per_doc(r2, "steady_s"), _per_doc(r2, "steady_read_s")
    warm = (100 * (r1["warm_s"] / r1["warm_read_s"] - 1)
            if r1["warm_items"] and r1["warm_read_s"] else float("nan"))
    return {
        "kind": kind, "documents": documents, "pages": pages,
        "docs_per_min_1w": 60 * r1["steady_docs_per_s"],
        "docs_per_min_2w": 60 * r2["steady_docs_per_s"],
        "pages_per_min_2w": 60 * r2["steady_pages_per_s"],
        "wall_docs_per_min_2w": 60 * r2["docs"] / r2["wall_s"],
        "speedup": r2["steady_docs_per_s"] / r1["steady_docs_per_s"],
        "worker_s_per_doc_1w": per_doc, "worker_read_s_per_doc_1w": read,
        "overhead_pct": 100 * (per_doc / read - 1) if read else float("nan"),
        "overhead_ms_per_doc": 1000 * (per_doc - read),
        "worker_read_s_per_doc_2w": read2,
        "overhead_pct_2w": 100 * (per_doc2 / read2 - 1) if read2 else float("nan"),
        "read_slower_2w_pct": 100 * (read2 / read - 1) if read else float("nan"),
        "warm_overhead_pct": warm, "warm_docs_1w": r1["warm_items"],
        "raw_read_s_per_doc": stages["read"],
        "fields_s_per_doc": stages["fields"], "classify_s_per_doc": stages["classify"],
        "peak_rss_gib_1w": r1["peak_rss_gib"], "peak_rss_gib_2w": r2["peak_rss_gib"],
        "failed": r2["failed"], "errors": r2["errors"],
        "wall_s_1w": r1["wall_s"], "wall_s_2w": r2["wall_s"],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--text", type=int, default=300, help="text PDFs to generate")
    ap.add_argument("--scans", type=int, default=40, help="scans to generate")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--repeat", type=int, default=1, help="runs per worker count; the best is kept")
    args = ap.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="claimflow-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"workdir {work}; machine: {os.cpu_count()} cores; load average "
          f"{os.getloadavg()[0]:.1f}", file=sys.stderr)
    rows = []
    for kind, count in (("text_pdf", args.text), ("scan", args.scans)):
        if count <= 0:
            continue
        out = work / kind
        files = generate(out, kind, count, args.seed)
        page_map = pages_of(out, files)
        pages = sum(page_map.values())
        stages = stage_seconds(files)
        # alternate 1 and 2 workers; keep each one's best run (a shared VM's speed drifts)
        r1 = r2 = None
        for k in range(args.repeat):
            a, b = (run(out / "invoices", 1, work, kind, page_map),
                    run(out / "invoices", 2, work, kind, page_map))
            print(f"{kind} run {k + 1}: " + "; ".join(
                f"{w} worker(s) {60 * r['steady_docs_per_s']:.0f} docs/min, read_pages "
                f"{1000 * _per_doc(r, 'steady_read_s'):.1f} ms/doc" for w, r in ((1, a), (2, b))),
                file=sys.stderr)
            r1 = a if r1 is None or a["steady_docs_per_s"] > r1["steady_docs_per_s"] else r1
            r2 = b if r2 is None or b["steady_docs_per_s"] > r2["steady_docs_per_s"] else r2
        rows.append(summarize(kind, len(files), pages, stages, r1, r2))
    for r in rows:
        print(f"\n{r['kind']}: {r['documents']} documents, {r['pages']} pages "
              f"({r['failed']} failed results, {r['errors']} errors)")
        print(f"  1 worker : {r['docs_per_min_1w']:8.1f} docs/min (steady), wall {r['wall_s_1w']:.1f} s")
        print(f"  2 workers: {r['docs_per_min_2w']:8.1f} docs/min, {r['pages_per_min_2w']:.1f} pages/min "
              f"(steady); {r['wall_docs_per_min_2w']:.1f} docs/min wall-clock, wall {r['wall_s_2w']:.1f} s")
        print(f"  speed-up 1 -> 2 workers: {r['speedup']:.2f}x")
        print(f"    read_pages in the workers: {1000 * r['worker_read_s_per_doc_1w']:.1f} ms/doc "
              f"(1 worker), {1000 * r['worker_read_s_per_doc_2w']:.1f} ms/doc (2 workers: "
              f"{r['read_slower_2w_pct']:+.0f} %, the machine's speed in that run); overhead "
              f"with 2 workers {r['overhead_pct_2w']:.0f} % (for information)")
        print(f"  in the worker (1 worker): {1000 * r['worker_s_per_doc_1w']:.1f} ms/doc, of which "
              f"read_pages {1000 * r['worker_read_s_per_doc_1w']:.1f} ms -> overhead "
              f"{r['overhead_pct']:.0f} % ({r['overhead_ms_per_doc']:.1f} ms/doc)")
        if r["warm_docs_1w"]:
            print(f"    the same from the worker's {WARM_ITEMS}th document on ({r['warm_docs_1w']} "
                  f"documents; its first ones also fill caches): overhead "
                  f"{r['warm_overhead_pct']:.0f} % (for information: the target is checked above)")
        print(f"    in one process before the runs: read_pages {1000 * r['raw_read_s_per_doc']:.1f} ms, "
              f"field extraction {1000 * r['fields_s_per_doc']:.1f} ms, classifier "
              f"{1000 * r['classify_s_per_doc']:.1f} ms per document")
        print(f"  peak memory per worker: {r['peak_rss_gib_1w']:.2f} GiB (1 worker), "
              f"{r['peak_rss_gib_2w']:.2f} GiB (2 workers)")
    targets = [
        ("text_pdf", "docs_per_min_2w", 600, ">="), ("scan", "pages_per_min_2w", 60, ">="),
        (None, "speedup", 1.7, ">="), (None, "overhead_pct", 25, "<="),
        (None, "peak_rss_gib_2w", 1.5, "<="), (None, "peak_rss_gib_1w", 1.5, "<="),
    ]
    print("\ntargets:")
    for kind, key, limit, op in targets:
        for r in rows:
            if kind and r["kind"] != kind:
                continue
            ok = r[key] >= limit if op == ">=" else r[key] <= limit
            print(f"  {'PASS' if ok else 'MISS'} {r['kind']} {key} = {r[key]:.2f} (target {op} {limit})")
    print(json.dumps(rows), file=sys.stderr)


if __name__ == "__main__":
    main()
