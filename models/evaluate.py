"""Evaluate on held-out templates: `python -m models.evaluate [--weights DIR]`.

Prints accuracy, macro-F1 and per-label F1, confusion pairs and expected calibration error for the
model and for the keyword baseline, plus bad-input behaviour and CPU timing on one thread.
"""
from __future__ import annotations

import argparse
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

import numpy as np
import torch

from models import baseline, data


def f1_per_label(truth: list, pred: list) -> dict[str, float]:
    out = {}
    for lab in sorted(set(truth)):
        tp = sum(1 for t, p in zip(truth, pred) if t == lab and p == lab)
        fp = sum(1 for t, p in zip(truth, pred) if t != lab and p == lab)
        fn = sum(1 for t, p in zip(truth, pred) if t == lab and p != lab)
        out[lab] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return out


def ece(conf: list[float], correct: list[bool], bins: int = 10) -> float:
    conf, correct = np.asarray(conf, float), np.asarray(correct, float)
    edges = np.linspace(0, 1, bins + 1)
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        m = (conf > lo) & (conf <= hi) if lo > 0 else (conf >= lo) & (conf <= hi)
        if m.any():
            total += m.sum() / len(conf) * abs(conf[m].mean() - correct[m].mean())
    return float(total)


def report(name: str, truth: list, pred: list, conf: list[float] | None = None, per_label: bool = True) -> None:
    acc = sum(t == p for t, p in zip(truth, pred)) / max(len(truth), 1)
    f1 = f1_per_label(truth, pred)
    macro = sum(f1.values()) / max(len(f1), 1)
    line = f"{name}: n={len(truth)} accuracy={acc:.4f} macro-F1={macro:.4f}"
    if conf is not None:
        line += f" ECE={ece(conf, [t == p for t, p in zip(truth, pred)]):.4f}"
    print(line)
    if per_label:
        print("   F1: " + " ".join(f"{k}={v:.2f}" for k, v in f1.items()))
    pairs = Counter((t, p) for t, p in zip(truth, pred) if t != p).most_common(8)
    if pairs:
        print("   confusions (truth->pred x n): " + ", ".join(f"{t}->{p} x{n}" for (t, p), n in pairs))


def run(clf, docs: list[dict], title: str) -> None:
    from models.calibrate import hint_source
    hints = hint_source()
    res, base, text_only = [], [], []
    for d in docs:
        f = d["fields"]
        items = [(li["description"], Decimal(str(li["amount"]))) for li in f["line_items"]]
        h = hints(d["text"], f.get("currency")) if hints else {}
        res.append(clf.classify(d["text"], items, h, f.get("currency")))
        base.append(baseline.classify(d["text"], items, h, f.get("currency")))
        text_only.append(clf.classify(d["text"], items, {}, f.get("currency")).country)
    src = "extractors.country.country_hints" if hints else "none"
    print(f"\n=== {title}: {len(docs)} documents (country_hints from {src}) ===")
    tt = [d["fields"]["treatment_type"] for d in docs]
    report("treatment_type model", tt, [r.treatment_type for r in res], [r.treatment_conf for r in res])
    report("treatment_type baseline", tt, [b["treatment_type"] for b in base], [b["treatment_conf"] for b in base])
    flagged = sum(1 for r in res if "mixed_treatments" in r.notes)
    print(f"   mixed_treatments flagged by the model: {flagged}")
    lt = [li["treatment_type"] for d in docs for li in d["fields"]["line_items"]]
    report("line_types model", lt, [p for r in res for p, _ in r.line_types], [c for r in res for _, c in r.line_types],
           per_label=False)
    report("line_types baseline", lt, [p for b in base for p in b["line_types"]], per_label=False)
    st = [d["fields"]["setting"] for d in docs]
    report("setting model", st, [r.setting for r in res], [r.setting_conf for r in res])
    report("setting baseline", st, [b["setting"] for b in base])
    ct = [d["fields"]["country"] for d in docs]
    report("country model", ct, [r.country for r in res], [r.country_conf for r in res], per_label=False)
    report("country model, country_hints={}", ct, text_only, per_label=False)
    report("country baseline (argmax of hints, else currency)", ct, [b["country"] for b in base], per_label=False)


def bad_inputs(clf) -> None:
    print("\n=== bad input ===")
    cases = {
        "empty": ("", [], {}, None),
        "cyrillic": ("Счёт за лечение\nКонсультация терапевта 2500 руб\nИтого 2500", [], {}, "RUB"),
        "chinese": ("医院发票\n门诊诊疗费 200 元\n合计 200", [("门诊诊疗费", Decimal("200"))], {}, "CNY"),
        "mixed": ("Rechnung\nZahnfüllung 300,00\nKrankengymnastik 280,00\nSumme 580,00",
                  [("Zahnfüllung", Decimal("300.00")), ("Krankengymnastik", Decimal("280.00"))], {}, "EUR"),
    }
    for name, args in cases.items():
        r = clf.classify(*args)
        print(f"{name}: type={r.treatment_type} conf={r.treatment_conf} setting={r.setting} conf={r.setting_conf} "
              f"country={r.country} conf={r.country_conf} notes={r.notes}")


def timing(weights: Path, docs: list[dict]) -> None:
    from models.classify import Classifier
    torch.set_num_threads(1)
    t0 = time.perf_counter()
    clf = Classifier(weights)
    load = time.perf_counter() - t0
    ms = []
    for d in docs:
        items = [(li["description"], Decimal(str(li["amount"]))) for li in d["fields"]["line_items"]]
        t1 = time.perf_counter()
        clf.classify(d["text"], items, {}, d["fields"].get("currency"))
        ms.append((time.perf_counter() - t1) * 1000)
    print(f"\n=== CPU timing, torch.set_num_threads(1) ===\nmodel load {load:.2f} s; per document mean "
          f"{np.mean(ms):.1f} ms, median {np.median(ms):.1f} ms, p95 {np.percentile(ms, 95):.1f} ms (n={len(ms)})")


def main(argv=None) -> None:
    from models.classify import WEIGHTS, Classifier
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", type=Path, default=WEIGHTS)
    args = ap.parse_args(argv)
    sets = data.splits()
    timing(args.weights, sets["test"][:200])
    clf = Classifier(args.weights)
    print(f"model_version {clf.model_version}")
    run(clf, sets["test"], "held-out templates 10-11 (models/corpus.py)")
    if sets["gen_test"]:
        run(clf, sets["gen_test"], "samples/generate.py make_spec, held-out layouts")
    bad_inputs(clf)


if __name__ == "__main__":
    main()
