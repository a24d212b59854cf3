"""Behaviour of the shipped classifier (committed weights, local files only)."""
import hashlib
import json
import os
from decimal import Decimal
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from models.classify import WEIGHTS, Classification, get_classifier, version_of  # noqa: E402

PHYSIO_DE = """Physiotherapie Weber
Lindenstraße 12
10115 Berlin
Tel.: +49 30 123 4567
RECHNUNG
Rechnungsnummer: RE-2026-118
Rechnungsdatum: 12.03.2026
Patient: Anna Jansen
Leistung    Betrag
6 x Krankengymnastik    162,00 €
Manuelle Therapie    48,00 €
Gesamtbetrag    210,00 €"""

HOSPITAL_DE = """Klinikum Stuttgart
Kaiserallee 4
70173 Stuttgart
RECHNUNG
Aufnahmedatum: {adm}
Entlassungsdatum: {dis}
Patient: Jan de Boer
Leistung    Betrag
Krankenhausaufenthalt    {amt} €
Laboruntersuchung    120,00 €
Gesamtbetrag    {tot} €"""


@pytest.fixture(scope="module")
def clf():
    return get_classifier()


def test_weights_are_committed_small_and_calibrated():
    files = list(WEIGHTS.iterdir())
    names = {f.name for f in files}
    assert {"model.safetensors", "config.json", "tokenizer.json", "calibration.json"} <= names
    assert sum(f.stat().st_size for f in files) < 40 * 1024 * 1024
    cal = json.loads((WEIGHTS / "calibration.json").read_text())
    assert set(cal["temperature"]) == {"doc_type", "line", "setting", "country"}
    for name in ("treatment", "setting", "country", "line"):
        ys = cal["isotonic"][name]["y"]
        assert ys == sorted(ys) and 0 <= ys[0] and ys[-1] <= 1


def test_loaded_once_and_version_from_weights(clf):
    assert get_classifier() is clf
    digest = hashlib.sha256((WEIGHTS / "model.safetensors").read_bytes()).hexdigest()
    assert clf.model_version.startswith(f"claimnet-{digest[:12]}-")
    assert version_of(WEIGHTS) == clf.model_version


def test_version_follows_calibration_and_inference_code(tmp_path, monkeypatch):
    import shutil

    import models.classify as C

    weights = tmp_path / "weights"
    shutil.copytree(WEIGHTS, weights)
    base = version_of(weights)
    cal = weights / "calibration.json"
    cal.write_text(cal.read_text() + " ")
    recalibrated = version_of(weights)
    assert recalibrated != base and recalibrated[:22] == base[:22]  # same weights, other calibration
    code = tmp_path / "code"
    code.mkdir()
    for name in C.INFERENCE_CODE:
        shutil.copy(Path(C.__file__).parent / name, code / name)
    fake = code / "classify.py"
    monkeypatch.setattr(C, "__file__", str(fake))
    assert version_of(weights) == recalibrated
    (code / "rules.py").write_text((code / "rules.py").read_text() + "\n# changed\n")
    assert version_of(weights) != recalibrated


def test_german_physiotherapy_invoice(clf):
    items = [("6 x Krankengymnastik", Decimal("162.00")), ("Manuelle Therapie", Decimal("48.00"))]
    r = clf.classify(PHYSIO_DE, items, {}, "EUR")
    assert isinstance(r, Classification)
    assert r.treatment_type == "physiotherapy" and r.treatment_conf >= 0.8
    assert [t for t, _ in r.line_types] == ["physiotherapy", "physiotherapy"]
    assert r.setting == "outpatient"
    assert r.country == "DE"
    assert r.notes == []


def test_document_level_prediction_without_line_items(clf):
    r = clf.classify(PHYSIO_DE, [], {}, "EUR")
    assert r.treatment_type == "physiotherapy" and r.line_types == []


def test_largest_line_decides_and_lines_are_typed(clf):
    text = "Apotheke und Praxis\nKrankengymnastik\nIbuprofen 600 Tabletten"
    a = clf.classify(text, [("Krankengymnastik", Decimal("150.00")), ("Ibuprofen 600 Tabletten", Decimal("12.50"))], {}, "EUR")
    b = clf.classify(text, [("Krankengymnastik", Decimal("15.00")), ("Ibuprofen 600 Tabletten", Decimal("120.50"))], {}, "EUR")
    assert [t for t, _ in a.line_types] == ["physiotherapy", "medication"]
    assert a.treatment_type == "physiotherapy"
    assert b.treatment_type == "medication"


def test_empty_text_is_low_confidence(clf):
    r = clf.classify("", [], {}, None)
    assert (r.treatment_type, r.setting, r.country) == (None, None, None)
    assert r.treatment_conf == r.setting_conf == r.country_conf == 0.0
    assert "empty_text" in r.notes


@pytest.mark.parametrize("text", ["Счёт за лечение\nКонсультация терапевта 2500 руб\nИтого 2500",
                                  "医院发票\n门诊诊疗费 200 元\n合计 200"])
def test_unseen_script_is_never_confident(clf, text):
    r = clf.classify(text, [(text.splitlines()[1], Decimal("200"))], {}, None)
    assert "unknown_script" in r.notes
    assert r.treatment_conf <= 0.15 and r.setting_conf <= 0.15 and r.country_conf <= 0.15
    assert all(c <= 0.15 for _, c in r.line_types)


def test_mixed_treatments_get_a_note_and_low_confidence(clf):
    text = "Rechnung\nZahnfüllung 300,00\nKrankengymnastik 280,00\nSumme 580,00"
    r = clf.classify(text, [("Zahnfüllung", Decimal("300.00")), ("Krankengymnastik", Decimal("280.00"))], {}, "EUR")
    assert "mixed_treatments" in r.notes
    assert r.treatment_type == "dental" and r.treatment_conf <= 0.5


def test_setting_from_admission_and_discharge_dates(clf):
    inpatient = HOSPITAL_DE.format(adm="03.03.2026", dis="07.03.2026", amt="2.400,00", tot="2.520,00")
    daycare = HOSPITAL_DE.format(adm="03.03.2026", dis="03.03.2026", amt="900,00", tot="1.020,00")
    r1 = clf.classify(inpatient, [], {}, "EUR")
    r2 = clf.classify(daycare, [], {}, "EUR")
    assert r1.setting == "inpatient" and r1.setting_conf >= 0.9
    assert r2.setting == "daycare"
    assert r1.treatment_type == "hospital_admission"


def test_inpatient_without_a_stay_on_the_invoice_is_capped_with_a_note(clf):
    no_stay = ("Universitätsklinikum Köln\nRechnung Nr. 55120\nStationäre Behandlung\n"
               "Pflegesatz Normalstation\nOperation Knie\nSumme 4.800,00")
    r = clf.classify(no_stay, [], {}, "EUR")
    assert r.setting == "inpatient" and r.setting_conf <= 0.5
    assert "inpatient_without_stay" in r.notes
    dated = HOSPITAL_DE.format(adm="03.03.2026", dis="07.03.2026", amt="2.400,00", tot="2.520,00")
    r = clf.classify(dated, [], {}, "EUR")
    assert r.setting_conf >= 0.9 and "inpatient_without_stay" not in r.notes


def test_strong_country_hints_beat_currency(clf):
    text = "Rechnung\nKrankengymnastik 6x\nSumme 162,00"
    assert clf.classify(text, [], {"AT": 4.0, "DE": 0.5}, "EUR").country == "AT"
    th = clf.classify("Invoice\nPhysiotherapy session\nTotal 1,200.00", [], {"TH": 4.0}, "USD")
    assert th.country == "TH" and th.country_conf >= 0.5


def test_currency_alone_never_decides(clf):
    for cur in ("EUR", "USD"):
        r = clf.classify("", [], {}, cur)
        assert r.country is None and r.country_conf == 0.0
    r = clf.classify("", [], {}, "THB")
    assert r.country == "TH" and r.country_conf <= 0.3 and "country_from_currency_only" in r.notes


def test_traced_model_and_direct_tokenizer_match_the_eager_path(clf):
    from models.classify import Classifier

    eager = Classifier(compiled=False)
    assert clf.forward is not clf.model  # the shipped classifier runs the TorchScript trace
    texts = ["Physiotherapie 6x Krankengymnastik 40,00 EUR", "x", "", "Consulta médica urgencias " * 60]
    for max_len in (32, 256):
        enc = eager.tok(texts, truncation=True, max_length=max_len, padding=True, return_tensors="pt")
        ids, mask = clf._encode(texts, max_len)
        assert ids.tolist() == enc["input_ids"].tolist() and mask.tolist() == enc["attention_mask"].tolist()
    items = [("Krankengymnastik 6x", Decimal("240.00")), ("Fango", Decimal("22.30"))]
    a = clf.classify(texts[0] + " Berlin", items, {"DE": 3.0}, "EUR")
    b = eager.classify(texts[0] + " Berlin", items, {"DE": 3.0}, "EUR")
    assert a == b


def test_line_texts_seen_before_skip_the_model_and_give_the_same_result(monkeypatch):
    import models.classify as mc

    fresh, cold = mc.Classifier(), mc.Classifier()
    runs: list[list[str]] = []
    real = fresh._run

    def counted(texts, max_len):
        if max_len == mc.MAX_LINE:
            runs.append(list(texts))
        return real(texts, max_len)

    monkeypatch.setattr(fresh, "_run", counted)
    items = [("Krankengymnastik 6x", Decimal("240.00")), ("Fango", Decimal("22.30")),
             ("Fango", Decimal("22.30"))]
    first = fresh.classify("Praxis Berlin Rechnung", items, {"DE": 3.0}, "EUR")
    assert runs == [["Krankengymnastik 6x", "Fango"]]  # a repeated line runs once
    other = [("Fango", Decimal("10.00")), ("Röntgen Thorax", Decimal("90.00"))]
    second = fresh.classify("Radiologie Berlin", other, {"DE": 3.0}, "EUR")
    assert runs[1:] == [["Röntgen Thorax"]]  # only the line not seen before
    # the same answers as a classifier that never saw those lines
    assert first == cold.classify("Praxis Berlin Rechnung", items, {"DE": 3.0}, "EUR")
    monkeypatch.setattr(mc, "LINE_CACHE", 0)
    assert second == mc.Classifier().classify("Radiologie Berlin", other, {"DE": 3.0}, "EUR")


def test_line_memory_is_bounded(monkeypatch):
    import models.classify as mc

    monkeypatch.setattr(mc, "LINE_CACHE", 3)
    c = mc.Classifier()
    for k in range(6):
        c.classify("Invoice", [(f"Consultation {k}", Decimal("10.00"))], {}, "EUR")
    assert list(c._lines) == ["Consultation 3", "Consultation 4", "Consultation 5"]


HEAD_TEXTS = [
    # a long invoice: the head cut at a space fills the document pass
    "\n".join(f"Consultation cardiologist {i} 12.03.2024 EUR 1.234,56 Hospital St. Mary" for i in range(40)),
    # a head of one long word (a single unknown token) does not: the whole text is read
    "x" * 790 + " " + "physiotherapy session " * 200,
    "y" * 2000,  # no space to cut at
    "short text",
]


@pytest.mark.parametrize("text", HEAD_TEXTS, ids=["fills", "falls_short", "no_space", "short"])
def test_the_document_pass_reads_the_same_tokens_from_a_head_of_the_text(clf, text):
    import torch

    from models.classify import MAX_DOC

    ids, mask = clf._encode_docs([text])
    whole_ids, whole_mask = clf._encode([text], MAX_DOC)
    assert torch.equal(ids, whole_ids) and torch.equal(mask, whole_mask)


def test_a_group_of_documents_is_encoded_as_the_tokenizer_pads_it(clf):
    import torch

    from models.classify import MAX_DOC

    ids, mask = clf._encode_docs(HEAD_TEXTS)
    whole_ids, whole_mask = clf._encode(HEAD_TEXTS, MAX_DOC)
    assert ids.shape == (4, MAX_DOC) and mask[3].sum() < MAX_DOC  # "short text" is padded
    assert torch.equal(ids, whole_ids) and torch.equal(mask, whole_mask)


def _same(a, b, tol=1e-3):
    """The same labels and notes, confidences equal to padding's float noise."""
    assert (a.treatment_type, a.setting, a.country, a.notes, a.model_version) == \
        (b.treatment_type, b.setting, b.country, b.notes, b.model_version)
    for x, y in ((a.treatment_conf, b.treatment_conf), (a.setting_conf, b.setting_conf),
                 (a.country_conf, b.country_conf)):
        assert abs(x - y) <= tol
    assert [t for t, _ in a.line_types] == [t for t, _ in b.line_types]
    assert all(abs(x - y) <= tol for (_, x), (_, y) in zip(a.line_types, b.line_types))


def test_a_group_is_classified_as_each_document_alone_in_two_model_calls(monkeypatch):
    import models.classify as mc

    docs = [
        (HOSPITAL_DE.format(adm="02.03.2024", dis="05.03.2024", amt="3.000,00", tot="3.120,00"),
         [("Krankenhausaufenthalt", Decimal("3000")), ("Laboruntersuchung", Decimal("120"))],
         {"DE": 3.0}, "EUR"),
        ("", [], {}, "THB"),  # no text: no document pass, currency alone
        ("ใบเสร็จรับเงิน โรงพยาบาล กรุงเทพ", [("ค่ายา", Decimal("500"))], {}, "THB"),
        ("Dental clinic Lisbon\nInvoice 77\nExtraction 120,00 EUR", [], {"PT": 2.0}, "EUR"),
        ("Praxis Berlin Rechnung", [("Krankengymnastik 6x", Decimal("240")), ("Fango", Decimal("22.3")),
                                    ("Laboruntersuchung", Decimal("40"))], {"DE": 3.0}, "EUR"),
    ]
    alone = [mc.Classifier().classify(*d) for d in docs]
    grouped = mc.Classifier()
    calls: list[tuple[int, int]] = []
    real = grouped._forward

    def counted(ids, mask):
        calls.append(tuple(ids.shape))
        return real(ids, mask)

    monkeypatch.setattr(grouped, "_forward", counted)
    together = grouped.classify_many(docs)
    assert len(together) == len(docs)
    for a, b in zip(together, alone):
        _same(a, b)
    # one document pass for the four with text, one line pass for the five distinct lines
    assert [rows for rows, _ in calls] == [4, 5]
    assert together[1].notes == ["empty_text", "country_from_currency_only"]
    assert (together[1].treatment_type, together[1].country) == (None, "TH")
