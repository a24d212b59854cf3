"""Dev loop: extraction vs truth per field and kind.

  python bench/dev_fields.py DIR            # read files with extractors.pages.read_pages
  python bench/dev_fields.py --spec N SEED  # printed text lines of make_spec() (no rendering)
"""
from __future__ import annotations

import json
import os
import random
import sys
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from extractors.fields import extract_fields  # noqa: E402

FIELDS = ["invoice_date", "total_amount", "currency", "country", "invoice_number", "patient_name",
          "provider_name"]


def value_of(ex, name):
    v = getattr(ex, name).value
    if v is None:
        return None
    if name == "invoice_date":
        return v.isoformat()
    if name == "total_amount":
        return Decimal(v)
    return str(v)


def compare(ex, truth):
    out = {}
    f = truth["fields"]
    for name in FIELDS:
        want = f.get(name)
        if name == "total_amount" and want is not None:
            want = Decimal(want)
        out[name] = (value_of(ex, name) == want, value_of(ex, name), want, getattr(ex, name).confidence)
    want_items = [(i["description"], Decimal(i["amount"])) for i in f.get("line_items", [])]
    got_items = [(i.description, Decimal(i.amount)) for i in ex.line_items]
    out["item_amounts"] = ([a for _, a in got_items] == [a for _, a in want_items], len(got_items), len(want_items), 1)
    bad = [(g, w) for (g, _), (w, _) in zip(got_items, want_items) if g != w]
    out["item_descs"] = ([d for d, _ in got_items] == [d for d, _ in want_items], bad[:2], None, 1)
    return out


def run(docs, verbose):
    stats = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    thr = {"invoice_date": 0.9, "total_amount": 0.9, "currency": 0.9, "country": 0.8}
    calib = defaultdict(lambda: [0, 0, 0, 0])  # wrong&confident, wrong, right&unsure, right
    for name, kind, pages, truth, secs in docs:
        ex = extract_fields(pages)
        res = compare(ex, truth)
        for f, t in thr.items():
            ok, got, want, conf = res[f]
            c = calib[f]
            if ok:
                c[3] += 1
                c[2] += conf < t
                if conf < t and "unsure" in verbose:
                    print(f"unsure {name} [{kind}] {f}: conf={conf}")
            else:
                c[1] += 1
                c[0] += conf >= t
                if conf >= t:
                    print(f"CONFIDENT WRONG {name} [{kind}] {f}: got={got!r} want={want!r} conf={conf}")
        for field, (ok, got, want, conf) in res.items():
            s = stats[kind][field]
            s[0] += ok
            s[1] += 1
            if not ok and verbose and (field in verbose or "all" in verbose):
                print(f"{name} [{kind}] {field}: got={got!r} want={want!r} conf={conf}")
    for f, c in calib.items():
        print(f"calibration {f}: wrong but confident {c[0]}/{c[1]} wrong; right but below threshold {c[2]}/{c[3]} right")
    for kind, fs in sorted(stats.items()):
        print(kind, "  ".join(f"{f}={s[0]}/{s[1]}" for f, s in fs.items()))


def spec_docs(n, seed):
    from samples._spec import make_spec
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from fields_helpers import pages_from

    rng = random.Random(seed)
    for i in range(n):
        spec = make_spec(rng)
        yield f"spec{i}", "spec", pages_from("\n".join(spec["lines"])), spec, 0.0


def dir_docs(root: Path, cache: bool = True):
    """Pages are cached (pickled, without images) next to the set so re-runs skip OCR."""
    import pickle

    from extractors.pages import read_pages

    cdir = root / ".pages_cache"
    cdir.mkdir(exist_ok=True)
    for tf in sorted((root / "truth").glob("*.json")):
        truth = json.loads(tf.read_text())
        path = root / truth["file"]
        cf = cdir / (tf.stem + ".pkl")
        t0 = time.time()
        if cache and cf.exists():
            pages = pickle.loads(cf.read_bytes())
        elif os.environ.get("CACHED_ONLY"):
            continue
        else:
            try:
                pages = read_pages(path.read_bytes())
            except Exception as e:  # noqa: BLE001
                print(f"{tf.stem}: read_pages failed: {e!r}")
                pages = []
            for p in pages:
                p.image = None
            cf.write_bytes(pickle.dumps(pages))
        yield tf.stem, truth["kind"], pages, truth, time.time() - t0


def dump(root: Path, stem: str):
    import pickle

    for p in pickle.loads((root / ".pages_cache" / (stem + ".pkl")).read_bytes()):
        print(f"--- page {p.index} source={p.source} rot={p.rotation}")
        for ws in p.lines():
            print(" | ".join(f"{w.text}@{w.x0:.0f}-{w.x1:.0f}~{w.conf:.2f}" for w in ws))


if __name__ == "__main__":
    args = sys.argv[1:]
    verbose = []
    if "-v" in args:
        i = args.index("-v")
        verbose = args[i + 1].split(",")
        del args[i:i + 2]
    if args[0] == "--dump":
        dump(Path(args[1]), args[2])
        sys.exit(0)
    if args[0] == "--spec":
        run(spec_docs(int(args[1]), int(args[2])), verbose)
    else:
        run(dir_docs(Path(args[0])), verbose)
