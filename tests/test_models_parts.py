"""Corpus, rules, baseline and calibration helpers of models/ (no model needed)."""
import random
from datetime import date

import numpy as np

from models import baseline, corpus
from models.calibrate import fit_temperature, isotonic
from models.evaluate import ece, f1_per_label
from models.rules import dates_in, known_script_share, stay
from models.vocab import LANGS, TYPES, phrases


def test_vocabulary_covers_every_code_and_language():
    assert len(TYPES) == 29 and "other" in TYPES
    for code in TYPES:
        for lang in LANGS:
            assert phrases(code, lang), (code, lang)
    assert "Fysiotherapie, oefentherapie, chiropractie of manuele therapie" in phrases("physiotherapy", "nl")


def test_corpus_is_deterministic_and_split_by_template():
    a = corpus.build(60, corpus.TEST_TEMPLATES, 3)
    b = corpus.build(60, corpus.TEST_TEMPLATES, 3)
    assert [d["text"] for d in a] == [d["text"] for d in b]
    assert {d["template"] for d in a} == set(corpus.TEST_TEMPLATES)
    assert not set(corpus.TEST_TEMPLATES) & set(corpus.TRAIN_TEMPLATES)
    assert not set(corpus.CALIB_TEMPLATES) & set(corpus.TRAIN_TEMPLATES)


def test_corpus_truth_follows_the_largest_amount_rule():
    rng = random.Random(5)
    langs = set()
    for _ in range(300):
        d = corpus.make_invoice(rng)
        f = d["fields"]
        langs.add(f["language"])
        if f["line_items"]:
            top = max(f["line_items"], key=lambda li: float(li["amount"]))
            assert f["treatment_type"] == top["treatment_type"]
        assert f["setting"] in ("inpatient", "daycare", "outpatient")
    assert {"nl", "de", "fr", "es", "it", "pt", "en", "th"} <= langs


def test_stay_from_dates_and_nights():
    assert stay("Aufnahmedatum: 03.03.2026\nEntlassungsdatum: 07.03.2026") == (4, "dates")
    assert stay("Date d'entrée: 2026-05-02\nDate de sortie: 2 mai 2026")[0] == 0
    assert stay("Admission date: 04/28/2026\nDischarge date: 05/01/2026")[0] == 3
    assert stay("จำนวนคืน / Nights: 3") == (3, "nights")
    assert stay("Consultation 12.03.2026") == (None, "")
    assert dates_in("12 ม.ค. 2569")[0][0] == date(2026, 1, 12)


def test_known_script_share():
    assert known_script_share("Rechnung Krankengymnastik") == 1.0
    assert known_script_share("ค่ายา / medication") == 1.0
    assert known_script_share("门诊诊疗费") == 0.0


def test_keyword_baseline():
    assert baseline.keyword_type("Krankengymnastik 6x")[0] == "physiotherapy"
    assert baseline.keyword_type("nothing known here") == ("other", 0.0)
    r = baseline.classify("", [("Zahnarzt Kontrolle", 50), ("Apotheke", 10)], {}, "EUR")
    assert r["treatment_type"] == "dental" and r["line_types"] == ["dental", "medication"]


def test_isotonic_is_monotone_and_calibrates():
    rng = np.random.default_rng(0)
    conf = rng.uniform(0, 1, 4000)
    correct = rng.uniform(0, 1, 4000) < conf ** 2  # overconfident scores
    iso = isotonic(list(conf), list(correct))
    assert iso["y"] == sorted(iso["y"])
    mapped = np.interp(conf, iso["x"], iso["y"])
    assert ece(list(mapped), list(correct)) < ece(list(conf), list(correct)) / 3


def test_temperature_fit_recovers_scale():
    rng = np.random.default_rng(1)
    logits = rng.normal(0, 3, (3000, 5))
    p = np.exp(logits / 2.0)
    p /= p.sum(1, keepdims=True)
    y = np.array([rng.choice(5, p=row) for row in p])
    assert 1.6 < fit_temperature(logits, y) < 2.5


def test_ece_and_f1():
    assert ece([0.9] * 10, [True] * 9 + [False]) < 1e-9
    assert abs(ece([1.0] * 4, [True, True, False, False]) - 0.5) < 1e-9
    assert f1_per_label(["a", "b"], ["a", "a"]) == {"a": 2 / 3, "b": 0.0}
