"""Speed of extractors.pages.read_pages on a folder of documents, on one core.

usage: python bench/read_pages.py DIR [--limit N]

Prints seconds per page (wall and CPU incl. tesseract) for text-layer PDF pages and for
OCR pages (scans, photos, image PDFs), and peak RSS. If DIR/../truth/<id>.json exists
(samples layout) it also reports how often the true total and invoice number appear in
the read text.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from extractors.pages import read_pages  # noqa: E402
from extractors.types import ExtractionError  # noqa: E402


def cpu_seconds() -> float:
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def digits(s: str) -> str:
    return re.sub(r"\D", "", s)


def amount_forms(amount: str) -> list[str]:
    """Digit strings an amount may be printed as ('248000.00' also as '248.000' for IDR)."""
    d = digits(amount)
    return [d, d[:-2]] if amount.endswith(".00") else [d]


def summary(name: str, vals: list[float]) -> str:
    if not vals:
        return f"{name}: no pages"
    vals = sorted(vals)
    p90 = vals[min(len(vals) - 1, int(0.9 * len(vals)))]
    return (f"{name}: {len(vals)} pages, mean {statistics.mean(vals):.2f} s/page, "
            f"median {statistics.median(vals):.2f}, p90 {p90:.2f}, max {vals[-1]:.2f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dir", type=Path)
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args()
    try:
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core, tesseract inherits it
    except (AttributeError, OSError):
        pass
    files = sorted(p for p in args.dir.rglob("*") if p.is_file())
    if args.limit:
        files = files[: args.limit]
    truth_dir = args.dir.parent / "truth"
    wall = {"text": [], "ocr": []}
    cpu = {"text": [], "ocr": []}
    errors, found_total, found_number, checked = {}, 0, 0, 0
    items_ok = {"text": 0, "ocr": 0}
    items_all = {"text": 0, "ocr": 0}
    for path in files:
        data = path.read_bytes()
        t0, c0 = time.perf_counter(), cpu_seconds()
        try:
            pages = read_pages(data)
        except ExtractionError as e:
            errors[path.name] = e.code
            print(f"{path.name}: {e.code}: {e.message}")
            continue
        dt, dc = time.perf_counter() - t0, cpu_seconds() - c0
        kind = "ocr" if any(p.source == "ocr" for p in pages) else "text"
        wall[kind] += [dt / len(pages)] * len(pages)
        cpu[kind] += [dc / len(pages)] * len(pages)
        truth = truth_dir / f"{path.stem}.json"
        if truth.exists():
            fields = json.loads(truth.read_text())["fields"]
            text = "\n".join(p.text() for p in pages)
            checked += 1
            tot = str(fields.get("total_amount") or "")
            found_total += bool(tot) and any(f in digits(text) for f in amount_forms(tot))
            rows = [" ".join(w.text for w in ws) for p in pages for ws in p.lines()]
            for item in fields.get("line_items") or []:
                items_all[kind] += 1
                amts, first = amount_forms(str(item["amount"])), item["description"].split()[0].lower()
                hit = any(first in r.lower() and any(a in digits(r) for a in amts) for r in rows)
                items_ok[kind] += hit
                if not hit:
                    print(f"  line item not on one row: {item['description']!r} {item['amount']}")
            num = str(fields.get("invoice_number") or "")
            found_number += bool(num) and num.replace(" ", "") in text.replace(" ", "")
        print(f"{path.name}: {len(pages)} page(s) {kind} wall {dt:.2f}s cpu {dc:.2f}s "
              f"rot {[p.rotation for p in pages]} skew {[p.skew for p in pages]}", flush=True)
    print()
    for kind, label in (("text", "text-layer PDFs"), ("ocr", "scans/photos/image PDFs")):
        print(summary(label + " (wall)", wall[kind]))
        print(summary(label + " (cpu)", cpu[kind]))
    print(f"errors: {len(errors)} {sorted(set(errors.values()))}")
    if checked:
        print(f"truth: total digits found in text {found_total}/{checked}, invoice number found {found_number}/{checked}")
        for kind in ("text", "ocr"):
            print(f"line items with description and amount on one row ({kind}): {items_ok[kind]}/{items_all[kind]}")
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # (RUSAGE_CHILDREN's maxrss would include the forked python image, so it is not shown)
    print(f"peak RSS of the reading process: {self_kb / 1024:.0f} MB")


if __name__ == "__main__":
    main()
