"""Data sets for training and evaluation: our own corpus plus samples/generate.py when present."""
from __future__ import annotations

import random
import sys
from pathlib import Path

from models import corpus

ROOT = Path(__file__).resolve().parent.parent


def generator():
    """samples.generate.make_spec, or None while that module does not exist or fails to import."""
    if not (ROOT / "samples" / "generate.py").exists():
        return None
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    try:
        from samples.generate import make_spec
    except Exception as exc:  # the other engineer's module may be mid-edit
        print(f"samples.generate not usable: {exc!r}", file=sys.stderr)
        return None
    return make_spec


def from_spec(spec: dict) -> dict:
    """A make_spec() result in our corpus format."""
    f = spec["fields"]
    return {"text": "\n".join(spec.get("lines", [])), "lines": spec.get("lines", []),
            "template": f"gen:{spec.get('layout')}", "mixed": False,
            "fields": {"country": f.get("country"), "currency": f.get("currency"),
                       "treatment_type": f.get("treatment_type"), "setting": f.get("setting"),
                       "language": spec.get("language"),
                       "line_items": [dict(li) for li in f.get("line_items", [])]}}


def gen_docs(n: int, seed: int) -> list[dict]:
    make_spec = generator()
    if make_spec is None:
        return []
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        try:
            out.append(from_spec(make_spec(rng)))
        except Exception as exc:
            print(f"make_spec failed: {exc!r}", file=sys.stderr)
            return out
    return out


def split_gen(docs: list[dict]) -> tuple[list[dict], list[dict], list[dict]]:
    """Generator docs split by layout: 2/3 of the layouts train; the rest is halved into calib/test."""
    layouts = sorted({d["template"] for d in docs})
    held = set(layouts[len(layouts) * 2 // 3:]) if len(layouts) > 1 else set(layouts)
    train = [d for d in docs if d["template"] not in held]
    rest = [d for d in docs if d["template"] in held]
    return train, rest[0::2], rest[1::2]


def splits(n_train: int = 2500, n_calib: int = 600, n_test: int = 1200, n_gen: int = 1200) -> dict:
    gen_train, gen_calib, gen_test = split_gen(gen_docs(n_gen, 7))
    return {
        "train": corpus.build(n_train, corpus.TRAIN_TEMPLATES, 1) + gen_train,
        "calib": corpus.build(n_calib, corpus.CALIB_TEMPLATES, 2) + gen_calib,
        "test": corpus.build(n_test, corpus.TEST_TEMPLATES, 3),
        "gen_test": gen_test,
    }
