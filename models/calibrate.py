"""Fit temperatures per head and isotonic maps for the final confidences on held-out invoices."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

CAPPED = {"mixed_treatments", "unknown_script", "empty_text"}
SETTING_CAPPED = {"inpatient_without_stay"}  # a capped setting only: the other heads still count


def hint_source():
    """extractors.country.country_hints when that module exists (the pipeline passes its output)."""
    try:
        from extractors.country import country_hints
    except Exception:
        return None
    return country_hints


def nll(logits: np.ndarray, y: np.ndarray, t: float) -> float:
    z = logits / t
    z = z - z.max(1, keepdims=True)
    return float(-(z[np.arange(len(y)), y] - np.log(np.exp(z).sum(1))).mean())


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    grid = np.geomspace(0.25, 6.0, 80)
    return float(grid[int(np.argmin([nll(logits, y, t) for t in grid]))])


def isotonic(conf: list[float], correct: list[bool]) -> dict:
    """Pool-adjacent-violators fit of P(correct | conf), as points for np.interp."""
    order = np.argsort(conf)
    x = np.asarray(conf, float)[order]
    y = np.asarray(correct, float)[order]
    blocks: list[list[float]] = []  # [sum_y, n, sum_x]
    for xi, yi in zip(x, y):
        blocks.append([yi, 1.0, xi])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] >= blocks[-1][0] / blocks[-1][1]:
            s, n, sx = blocks.pop()
            blocks[-1][0] += s
            blocks[-1][1] += n
            blocks[-1][2] += sx
    xs = [b[2] / b[1] for b in blocks]
    ys = list(np.maximum.accumulate([(b[0] + 0.5) / (b[1] + 1.0) for b in blocks]))
    return {"x": [0.0] + xs + [1.0], "y": [min(ys[0], xs[0])] + ys + [ys[-1]]}


def _batched(clf, texts, max_len, size=64):
    outs = [clf._run(texts[i:i + size], max_len) for i in range(0, len(texts), size)]
    return [np.concatenate([o[k] for o in outs]) for k in range(3)]


def calibrate(docs: list[dict], out: Path) -> dict:
    from decimal import Decimal

    from models.classify import MAX_DOC, MAX_LINE, Classifier
    clf = Classifier(out, calibrated=False)
    t_idx = {c: i for i, c in enumerate(clf.types)}
    s_idx = {c: i for i, c in enumerate(clf.settings)}
    c_idx = {c: i for i, c in enumerate(clf.countries)}
    docs = [d for d in docs if d["fields"]["treatment_type"] in t_idx]
    t, s, c = _batched(clf, [d["text"] for d in docs], MAX_DOC)
    lines = [li for d in docs for li in d["fields"]["line_items"] if li.get("treatment_type") in t_idx]
    lt, _, _ = _batched(clf, [li["description"] for li in lines], MAX_LINE, 256)
    temps = {
        "doc_type": fit_temperature(t, np.array([t_idx[d["fields"]["treatment_type"]] for d in docs])),
        "setting": fit_temperature(*_known(s, [s_idx.get(d["fields"]["setting"]) for d in docs])),
        "country": fit_temperature(*_known(c, [c_idx.get(d["fields"]["country"]) for d in docs])),
        "line": fit_temperature(lt, np.array([t_idx[li["treatment_type"]] for li in lines])),
    }
    clf.cal = {"temperature": temps}
    hints = hint_source()
    hs = [hints(d["text"], d["fields"].get("currency")) if hints else {} for d in docs]
    weight = fit_country_weight(clf, c, hs, docs)
    clf.country_weight = weight
    rec: dict[str, tuple[list, list]] = {k: ([], []) for k in ("treatment", "setting", "country", "line")}
    for d, h in zip(docs, hs):
        f = d["fields"]
        items = [(li["description"], Decimal(str(li["amount"]))) for li in f["line_items"]]
        r = clf.classify(d["text"], items, h, f.get("currency"))
        for (lab, conf), li in zip(r.line_types, f["line_items"]):
            if lab is not None:
                rec["line"][0].append(conf)
                rec["line"][1].append(lab == li["treatment_type"])
        if CAPPED & set(r.notes):
            continue
        for key, pred, conf in (("treatment", r.treatment_type, r.treatment_conf), ("setting", r.setting, r.setting_conf),
                                ("country", r.country, r.country_conf)):
            if key == "setting" and SETTING_CAPPED & set(r.notes):
                continue
            if pred is not None:
                rec[key][0].append(conf)
                rec[key][1].append(pred == f[key if key != "treatment" else "treatment_type"])
    cal = {"temperature": temps, "country_model_weight": weight, "isotonic": {k: isotonic(*v) for k, v in rec.items() if v[0]},
           "fitted_on": {"documents": len(docs), "lines": len(lines),
                         "country_hints": "extractors.country.country_hints" if hints else "none",
                         "templates": sorted({str(d["template"]) for d in docs})}}
    (Path(out) / "calibration.json").write_text(json.dumps(cal, indent=1))
    print(f"calibration: temperatures {temps}, country model weight {weight}; fitted on {len(docs)} held-out documents")
    return cal


def fit_country_weight(clf, logits, hints, docs) -> float:
    """Weight of the model's country log-probability next to the hints with the fewest errors."""
    best, best_err = 1.0, None
    for w in (0.1, 0.15, 0.25, 0.35, 0.5, 0.75, 1.0):  # ties go to the smaller weight
        err = 0
        for lg, h, d in zip(logits, hints, docs):
            labels, score = clf.country_scores(lg, h, d["fields"].get("currency"), w)
            err += labels[int(np.argmax(score))] != d["fields"]["country"]
        if best_err is None or err < best_err:
            best, best_err = w, err
    return best


def _known(logits, ys):
    keep = [i for i, y in enumerate(ys) if y is not None]
    return logits[keep], np.array([ys[i] for i in keep])


def main() -> None:
    from models import data
    from models.classify import WEIGHTS
    calibrate(data.splits()["calib"], WEIGHTS)


if __name__ == "__main__":
    main()
