"""Sample medical invoices with their truth.

    python samples/generate.py --out DIR --count N --seed S [--kinds text_pdf,scan,photo,image_pdf]

writes DIR/invoices/<id>.<ext>, DIR/truth/<id>.json and DIR/SHA256SUMS. Same seed, same bytes.
Other code can `from samples.generate import make_spec` to build text corpora.
"""
import argparse
import hashlib
import json
import random
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from samples._countries import COUNTRIES  # noqa: E402
from samples._spec import LAYOUTS, make_spec  # noqa: E402

KINDS = ["text_pdf", "scan", "photo", "image_pdf"]
WEIGHTS = {"text_pdf": 0.55, "scan": 0.25, "photo": 0.125, "image_pdf": 0.075}
__all__ = ["make_spec", "render", "generate", "KINDS", "LAYOUTS"]


def kind_plan(count, kinds, rng):
    """How many of each kind (largest remainder of the weights), shuffled."""
    w = {k: WEIGHTS[k] for k in kinds}
    total = sum(w.values())
    exact = {k: count * v / total for k, v in w.items()}
    n = {k: int(x) for k, x in exact.items()}
    for k in sorted(kinds, key=lambda k: exact[k] - n[k], reverse=True)[:count - sum(n.values())]:
        n[k] += 1
    plan = [k for k in kinds for _ in range(n[k])]
    rng.shuffle(plan)
    return plan


def render(spec, kind, rng):
    """Bytes and file extension of one invoice of the given kind."""
    from samples import _degrade as dg
    from samples._render import render_pdf
    pdf = render_pdf(spec)
    if kind == "text_pdf":
        return pdf, "pdf"
    if kind == "photo":
        page = dg.rasterize(pdf, rng.choice([170, 190, 200]))[0]
        img = dg.photo_page(page, rng)
        if rng.random() < 0.08:
            img = img.rotate(rng.choice([90, 180, 270]), expand=True)
        return dg.encode(img, "jpg", rng.randint(70, 80)), "jpg"
    if kind == "image_pdf":
        dpi = rng.choice([200, 250])
        pages = [dg.scan_page(p, rng) for p in dg.rasterize(pdf, dpi)]
        return dg.image_pdf([dg.encode(p, "jpg", rng.randint(68, 76)) for p in pages], dpi), "pdf"
    pages = [dg.scan_page(p, rng) for p in dg.rasterize(pdf, 300)]
    fmt = "tiff" if len(pages) > 1 else rng.choice(["jpg", "jpg", "jpg", "png", "tiff"])
    if fmt == "jpg":
        return dg.encode(pages[0], "jpg", rng.randint(68, 76)), "jpg"
    bw = [dg.binarize(p) for p in pages]
    return (dg.tiff_pages(bw), "tiff") if fmt == "tiff" else (dg.encode(bw[0], "png"), "png")


def truth_of(spec, file, kind):
    keys = ("layout", "language", "pages", "fields", "extra")
    return {"file": file, "kind": kind, **{k: spec[k] for k in keys}}


def generate(out: Path, count: int, seed: int, kinds=None) -> list[dict]:
    kinds = kinds or KINDS
    master = random.Random(seed)
    plan = kind_plan(count, kinds, master)
    layouts = sorted(LAYOUTS)
    countries = sorted(COUNTRIES)
    master.shuffle(layouts)
    master.shuffle(countries)
    (out / "invoices").mkdir(parents=True, exist_ok=True)
    (out / "truth").mkdir(parents=True, exist_ok=True)
    truths, sums = [], []
    for i, kind in enumerate(plan):
        rng = random.Random(f"{seed}-{i}")
        spec = make_spec(rng, layout=layouts[i % len(layouts)], country=countries[i % len(countries)],
                         one_page=kind == "photo")
        data, ext = render(spec, kind, rng)
        name = f"inv_{seed}_{i:04d}"
        (out / "invoices" / f"{name}.{ext}").write_bytes(data)
        truth = truth_of(spec, f"invoices/{name}.{ext}", kind)
        (out / "truth" / f"{name}.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n",
                                                    encoding="utf-8")
        sums.append(f"{hashlib.sha256(data).hexdigest()}  invoices/{name}.{ext}")
        truths.append(truth)
    (out / "SHA256SUMS").write_text("\n".join(sums) + "\n")
    return truths


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--count", type=int, default=40)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--kinds", default=",".join(KINDS), help="comma list of " + ",".join(KINDS))
    a = ap.parse_args(argv)
    kinds = [k.strip() for k in a.kinds.split(",") if k.strip()]
    bad = [k for k in kinds if k not in KINDS]
    if bad:
        ap.error(f"unknown kinds: {bad}")
    truths = generate(a.out, a.count, a.seed, kinds)
    print(f"wrote {len(truths)} invoices to {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
