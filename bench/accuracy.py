"""Field accuracy of `claimflow process` over a labelled folder (DIR/invoices + DIR/truth).

    python bench/accuracy.py DIR [--db URL] [--direct]

Prints per-field accuracy by document kind, seconds per page by kind, peak memory, and the share
of wrong invoice_date/total_amount/currency among documents with status `auto_processed`.
Without a working `claimflow` command (or with --direct) it calls the extractors directly and says so.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from pathlib import Path

FIELDS = ["invoice_date", "total_amount", "currency", "country", "invoice_number", "provider_name",
          "patient_name", "treatment_type", "setting", "line_items"]
CRITICAL = ["invoice_date", "total_amount", "currency"]


def _dec(v):
    try:
        return Decimal(str(v)) if v is not None else None
    except InvalidOperation:
        return None


def field_ok(name: str, got, want) -> bool:
    if name == "total_amount":
        return want is not None and _dec(got) == _dec(want)
    if name == "line_items":
        g = [_dec(i.get("amount")) for i in got or []]
        w = [_dec(i.get("amount")) for i in want or []]
        return g == w
    return got == want


def load_truth(root: Path) -> dict[str, dict]:
    out = {}
    for tf in sorted((root / "truth").glob("*.json")):
        t = json.loads(tf.read_text())
        out[Path(t["file"]).name] = t
    return out


def run_cli(root: Path, db: str) -> tuple[list[tuple[dict, float]], int] | None:
    """Results with the seconds spent on each (time between consecutive output lines)."""
    exe = shutil.which("claimflow")
    cmd = [exe, "process", str(root / "invoices"), "--json", "--db", db] if exe else \
        [sys.executable, "-m", "pipeline.cli", "process", str(root / "invoices"), "--json", "--db", db]
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    except OSError as e:
        print(f"cannot start claimflow: {e}", file=sys.stderr)
        return None
    results = []
    last = time.perf_counter()
    err_lines: list[str] = []
    import threading

    def drain():
        for line in proc.stderr:
            err_lines.append(line)

    t = threading.Thread(target=drain, daemon=True)
    t.start()
    for line in proc.stdout:
        now = time.perf_counter()
        line = line.strip()
        if not line:
            continue
        try:
            results.append((json.loads(line), now - last))
        except json.JSONDecodeError:
            print(f"non-JSON line on stdout: {line[:120]}", file=sys.stderr)
        last = now
    rc = proc.wait()
    t.join(timeout=5)
    if rc != 0 and not results:
        print("claimflow failed:\n" + "".join(err_lines[-20:]), file=sys.stderr)
        return None
    return results, rc


def run_direct(root: Path, truth: dict[str, dict]) -> list[tuple[dict, float]]:
    """Fallback: read_pages + extract_fields (no classification, no routing -> status unknown)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from extractors.fields import extract_fields
    from extractors.pages import read_pages

    out = []
    for name in sorted(truth):
        path = root / "invoices" / name
        t0 = time.perf_counter()
        fields: dict = {}
        try:
            ex = extract_fields(read_pages(path.read_bytes()))
            d = ex.invoice_date.value
            fields = {
                "invoice_date": d.isoformat() if d else None,
                "total_amount": str(ex.total_amount.value) if ex.total_amount.value is not None else None,
                "currency": ex.currency.value, "country": ex.country.value,
                "invoice_number": ex.invoice_number.value, "provider_name": ex.provider_name.value,
                "patient_name": ex.patient_name.value, "treatment_type": None, "setting": None,
                "line_items": [{"description": i.description, "amount": str(i.amount)} for i in ex.line_items],
            }
            status = None
        except Exception as e:  # noqa: BLE001
            status = "failed"
            print(f"{name}: {e!r}", file=sys.stderr)
        out.append(({"source": str(path), "status": status, "fields": fields}, time.perf_counter() - t0))
    return out


def report(results: list[tuple[dict, float]], truth: dict[str, dict], mode: str, show_wrong: bool = False) -> None:
    acc = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    secs = defaultdict(lambda: [0.0, 0])
    status = defaultdict(lambda: defaultdict(int))
    auto_docs = auto_wrong = 0
    wrong_auto: list[str] = []
    seen = set()
    for res, dt in results:
        name = Path(res.get("source", "")).name
        t = truth.get(name)
        if t is None:
            continue
        seen.add(name)
        kind = t["kind"]
        got = res.get("fields") or {}
        for f in FIELDS:
            ok = field_ok(f, got.get(f), t["fields"].get(f))
            acc[kind][f][0] += ok
            acc[kind][f][1] += 1
            acc["ALL"][f][0] += ok
            acc["ALL"][f][1] += 1
        secs[kind][0] += dt
        secs[kind][1] += int(t.get("pages") or 1)
        status[kind][res.get("status")] += 1
        if show_wrong:
            for f in CRITICAL:
                if not field_ok(f, got.get(f), t["fields"].get(f)):
                    print(f"wrong {name} [{kind}] {f}: got={got.get(f)!r} want={t['fields'].get(f)!r} "
                          f"conf={(res.get('confidence') or {}).get(f)} status={res.get('status')}")
        if res.get("status") == "auto_processed":
            auto_docs += 1
            bad = [f for f in CRITICAL if not field_ok(f, got.get(f), t["fields"].get(f))]
            if bad:
                auto_wrong += 1
                wrong_auto.append(f"{name}: {', '.join(bad)}")
    missing = sorted(set(truth) - seen)
    print(f"mode: {mode}")
    print(f"documents: {len(seen)} of {len(truth)} labelled" + (f" (no result for {len(missing)})" if missing else ""))
    kinds = [k for k in sorted(acc) if k != "ALL"] + ["ALL"]
    print("\nper-field accuracy (exact; amounts as Decimal, dates as ISO strings)")
    print(f"{'field':16}" + "".join(f"{k:>12}" for k in kinds))
    for f in FIELDS:
        row = f"{f:16}"
        for k in kinds:
            ok, n = acc[k][f]
            row += f"{(100.0 * ok / n if n else 0):11.1f}%"
        print(row)
    print(f"{'(documents)':16}" + "".join(f"{acc[k]['invoice_date'][1]:>12}" for k in kinds))
    print("\nseconds per page by kind (wall time between results; the first includes start-up)")
    for k in sorted(secs):
        s, p = secs[k]
        print(f"  {k:10} {s / p if p else 0:7.2f} s/page over {p} pages")
    print("\nstatus by kind")
    for k in sorted(status):
        print(f"  {k:10} " + "  ".join(f"{s}={n}" for s, n in sorted(status[k].items(), key=str)))
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"\npeak memory: {max(peak, peak_self) / 1024:.0f} MiB (max RSS of the run)")
    if auto_docs:
        print(f"wrong date/total/currency among auto_processed: {auto_wrong}/{auto_docs} "
              f"= {100.0 * auto_wrong / auto_docs:.2f}%")
        for w in wrong_auto[:20]:
            print("   ", w)
    else:
        print("wrong date/total/currency among auto_processed: n/a (no auto_processed documents"
              + (" - direct mode has no routing)" if mode != "cli" else ")"))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir", type=Path)
    ap.add_argument("--db", help="SQLAlchemy URL (default: a fresh temporary SQLite file)")
    ap.add_argument("--direct", action="store_true", help="call the extractors directly instead of the CLI")
    ap.add_argument("--show-wrong", action="store_true", help="list each wrong date/total/currency")
    args = ap.parse_args(argv)
    truth = load_truth(args.dir)
    if not truth:
        print(f"no truth files in {args.dir}/truth", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    got = None
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or f"sqlite:///{tmp}/bench.sqlite"
        if not args.direct:
            got = run_cli(args.dir, db)
        if got is None:
            why = "--direct given" if args.direct else "claimflow CLI not usable"
            print(f"NOTE: {why}; calling the extractors directly (no classification, routing or status)")
            results, mode = run_direct(args.dir, truth), "direct (extractors only, no CLI)"
        else:
            results, mode = got[0], "cli"
    report(results, truth, mode, args.show_wrong)
    print(f"total wall time: {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
