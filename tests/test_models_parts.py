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


def test_stay_takes_the_date_each_label_names():
    # two-column header: the invoice date shares the discharge line (samples/generate.py layout L6)
    assert stay("Facture n°: 5853019 Date d'entrée: 1 octobre 2023\n"
                "Date: 14 octobre 2023 Date de sortie: 1 octobre 2023") == (0, "dates")
    assert stay("Invoice #: IV6605 Admitted: 13/05/2023\nInvoice date: 31/05/2023 Discharged: 15/05/2023") == (2, "dates")
    assert stay("Invoice date: 31/05/2023 Admission: 13/05/2023 Discharge: 16/05/2023") == (3, "dates")
    # "Admission type" names no date: the invoice date before it is not the admission
    assert stay("Discharge date: 29/11/2024\nDate: 29/11/2024 Admission type: Emergency\n"
                "Admission date: 21/11/2024") == (8, "dates")
    assert stay("Date: 29/11/2024 Admission type: Emergency\nDischarge date: 30/11/2024") == (None, "")
    # both labels, then both dates; or each date before its label
    assert stay("Admission/Discharge: 01/02/2024 - 05/02/2024") == (4, "dates")
    assert stay("Discharge/Admission: 05/02/2024 - 01/02/2024") == (4, "dates")
    assert stay("01/02/2024 admission, 05/02/2024 discharge") == (4, "dates")


def test_dates_with_de_and_a_day_point():
    assert stay("Data de internamento: 5 de outubro de 2023\n"
                "Data de emissão: 13 de outubro de 2023 Data de alta: 7 de outubro de 2023") == (2, "dates")
    assert dates_in("fecha de ingreso: 20 de abril de 2023") == [(date(2023, 4, 20), date(2023, 4, 20))]
    assert dates_in("aufnahme am 3. marz 2026") == [(date(2026, 3, 3), date(2026, 3, 3))]


def test_month_first_dates():
    assert stay("Admission date: May 2, 2023\nDischarged: May 5, 2023") == (3, "dates")
    assert dates_in("seen on sept. 14th 2026") == [(date(2026, 9, 14), date(2026, 9, 14))]
    # a word that only shares its first letters with a month is not one
    assert dates_in("marketing 4, 2026") == [] and dates_in("mayor 3, 2026") == []


def test_known_script_share():
    assert known_script_share("Rechnung Krankengymnastik") == 1.0
    assert known_script_share("ค่ายา / medication") == 1.0
    assert known_script_share("门诊诊疗费") == 0.0


def test_known_script_share_counts_every_letter_by_its_script():
    def by_char(text):
        letters = [ch for ch in text if ch.isalpha()]
        known = [ch for ch in letters if ord(ch) < 0x250 or 0x1E00 <= ord(ch) < 0x1F00
                 or 0x0E00 <= ord(ch) < 0x0E80]
        return len(known) / len(letters) if letters else 1.0

    chars = [chr(c) for c in range(0x20, 0x3100)]
    texts = ["".join(chars[i:i + 37]) for i in range(0, len(chars), 29)]
    texts += ["m² ½ Ⅻ 12", "Zahnfüllung 门诊 ค่ายา", "Счёт", "١٢٣", ""]
    for _ in range(2):  # the translate table fills on first use
        assert [known_script_share(t) for t in texts] == [by_char(t) for t in texts]


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
