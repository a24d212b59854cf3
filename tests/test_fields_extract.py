"""extract_fields on whole documents: the grand total and invoice date traps, items, odd input."""
from datetime import date
from decimal import Decimal

import pytest

from extractors.fields import extract_fields
from extractors.types import Page, Word
from fields_helpers import pages_from

HEAD = """Klinikum Frankfurt am Main
Friedrichstraße 12, 60311 Frankfurt am Main
Tel. +49 69 1234567   USt-IdNr. DE123456789
RECHNUNG
Rechnungsnummer: RE-2026-00042
Rechnungsdatum: 03.03.2026
Patient: Jan de Vries
Geburtsdatum: 12.05.1980
Aufnahme: 20.02.2026
Entlassung: 25.02.2026
Leistung                      Anz.    Betrag
Beratung                       1      100,00
Röntgen Thorax                 1      250,50
"""


def ext(text, **kw):
    return extract_fields(pages_from(text, **kw))


def test_german_invoice_all_fields():
    ex = ext(HEAD + "Gesamtbetrag                        350,50 EUR\n")
    assert ex.invoice_date.value == date(2026, 3, 3)
    assert ex.total_amount.value == Decimal("350.50")
    assert ex.currency.value == "EUR"
    assert ex.country.value == "DE"
    assert ex.invoice_number.value == "RE-2026-00042"
    assert ex.patient_name.value == "Jan de Vries"
    assert ex.provider_name.value == "Klinikum Frankfurt am Main"
    assert ex.language == "de"
    assert [(i.description, i.amount) for i in ex.line_items] == [
        ("Beratung", Decimal("100.00")), ("Röntgen Thorax", Decimal("250.50"))]
    assert ex.total_amount.confidence > 0.9 and ex.invoice_date.confidence > 0.9
    assert ex.total_amount.boxes and ex.total_amount.boxes[0][0] == 0
    assert ex.review_reasons == []
    assert "Röntgen Thorax" in ex.text


@pytest.mark.parametrize("tail", [
    # VAT added, subtotal first: total is not the largest number? here it is, but subtotal must not win
    "Zwischensumme                        350,50\nMwSt. 19%                             66,60\nGesamtbetrag                        417,10 EUR\n",
    # deposit and balance after the total
    "Gesamtbetrag                        350,50 EUR\nAnzahlung                          -200,00\nRestbetrag                          150,50\n",
    # insurance share after the total
    "Summe                               350,50 EUR\nAnteil Versicherung                -280,40\nEigenanteil Patient                  70,10\n",
    # discount
    "Zwischensumme                        350,50\nRabatt                              -35,05\nEndbetrag                           315,45 EUR\n",
    # VAT included, shown after the total
    "Rechnungsbetrag                     350,50 EUR\ndarin enthalten 19% MwSt.            55,96\n",
])
def test_total_traps(tail):
    want = {"417,10": "417.10", "315,45": "315.45"}
    ex = ext(HEAD + tail)
    expected = next((Decimal(v) for k, v in want.items() if k in tail), Decimal("350.50"))
    assert ex.total_amount.value == expected
    assert ex.total_amount.confidence > 0.9
    assert "line_items_mismatch" not in ex.review_reasons


def test_english_after_insurance_trap():
    doc = """St. Luke's Medical Center
149 Main Street, Houston, TX 77030
Tel. +1 (713) 555-0100
INVOICE
Invoice No.: INV-204411
Date of issue: 03/04/2026
Admission date: 03/01/2026
Description            Qty   Amount
Emergency room visit    1    1,250.00
CT scan abdomen         1    2,400.00
Total                         $3,650.00
Insurance covers             -2,920.00
Amount due after insurance      730.00
"""
    ex = ext(doc)
    assert ex.total_amount.value == Decimal("3650.00")
    assert ex.currency.value == "USD"
    assert ex.invoice_date.value == date(2026, 3, 4)  # US: month first
    assert ex.country.value == "US"


def test_dollar_resolved_by_country_evidence():
    doc = """Mount Elizabeth Medical Centre
3 Mount Elizabeth, Singapore 228510
Phone: +65 6731 2218   UEN: 201234567K
Invoice No.: INV-55120
Date: 14/02/2026
Consultation                   120.00
Total                         $120.00
"""
    ex = ext(doc)
    assert ex.currency.value == "SGD"
    assert ex.currency.confidence > 0.6
    mx = ext(doc.replace("3 Mount Elizabeth, Singapore 228510", "Av. Insurgentes Sur 123, Ciudad de México")
             .replace("+65 6731 2218   UEN: 201234567K", "+52 55 1234 5678"))
    assert mx.currency.value == "MXN"


def test_dollar_without_evidence_is_low_confidence():
    ex = ext("Some Clinic\nInvoice No.: 1234-55\nConsultation   80.00\nTotal  $80.00\n")
    assert ex.currency.value == "USD"
    assert ex.currency.confidence < 0.5


def test_line_items_mismatch_lowers_confidence():
    ex = ext(HEAD + "Gesamtbetrag                        999,00 EUR\n")
    assert ex.total_amount.value == Decimal("999.00")
    assert "line_items_mismatch" in ex.review_reasons
    assert ex.total_amount.confidence < 0.7


def test_invoice_date_not_birth_admission_or_due():
    doc = """Hôpital Saint-Louis
1 avenue Claude Vellefaux, 75010 Paris
FACTURE
Date de naissance : 02/01/1975
Date d'entrée : 05/02/2026
Date de facture : 12/02/2026
Date d'échéance : 12/03/2026
Désignation                 Montant
Consultation                 50,00
Total TTC                    50,00 €
"""
    ex = ext(doc)
    assert ex.invoice_date.value == date(2026, 2, 12)
    assert ex.invoice_date.confidence > 0.9
    assert ex.total_amount.value == Decimal("50.00")


def test_unlabelled_single_date_has_lower_confidence():
    labelled = ext("Praxis\nRechnungsdatum: 03.03.2026\nBeratung  50,00\nGesamtbetrag  50,00 EUR\n")
    bare = ext("Praxis\n03.03.2026\nBeratung  50,00\nGesamtbetrag  50,00 EUR\n")
    assert bare.invoice_date.value == date(2026, 3, 3)
    assert bare.invoice_date.confidence < labelled.invoice_date.confidence
    assert bare.invoice_date.confidence <= 0.6


def test_ambiguous_date_without_country_is_low_confidence():
    ex = ext("Clinic\nInvoice date: 03/04/2026\nConsult  50.00\nTotal  50.00\n")
    assert ex.invoice_date.confidence < 0.6


def test_thai_buddhist_era_invoice():
    doc = """โรงพยาบาลกรุงเทพ ภูเก็ต
Bangkok Hospital Phuket
2/1 Hongyok-utis Road, Phuket 83000
Tel +66 76 254 425
เลขประจำตัวผู้เสียภาษี / Tax ID: 0107537000254
ใบเสร็จรับเงิน / RECEIPT
เลขที่ / No.: IV6803-00123
วันที่ / Date: 15/03/2568
ผู้ป่วย / Patient: Somchai Srisuk
รายการ / Description    จำนวนเงิน / Amount
ค่าตรวจ / Consultation       1,200.00
ค่ายา / Medication             850.00
รวม / Subtotal               2,050.00
ภาษีมูลค่าเพิ่ม 7% / VAT 7%     143.50
รวมทั้งสิ้น / Grand Total     2,193.50 บาท
"""
    ex = ext(doc)
    assert ex.invoice_date.value == date(2025, 3, 15)
    assert ex.total_amount.value == Decimal("2193.50")
    assert ex.currency.value == "THB"
    assert ex.country.value == "TH"
    assert ex.patient_name.value == "Somchai Srisuk"
    assert ex.invoice_number.value == "IV6803-00123"
    assert len(ex.line_items) == 2


def test_idr_amounts_without_decimals():
    doc = """Bali Medical Clinic
Jl. Sunset Road No. 100, Kuta, Bali 80361
Phone: +62 361 123456
Invoice No.: INV-771234
Date: 11/12/2025
Service                 Qty   Charges
Dental check-up          1    250.000
Root canal treatment     1  2.130.000
Grand Total                 2.380.000 Rp
"""
    ex = ext(doc)
    assert ex.total_amount.value == Decimal("2380000")
    assert ex.currency.value == "IDR"
    assert [i.amount for i in ex.line_items] == [Decimal("250000"), Decimal("2130000")]


def test_items_across_pages_skip_carried_forward():
    p1 = """Klinikum Köln
Rechnungsdatum: 03.03.2026
Leistung                      Betrag
Unterkunft                    395,00
Labor                          20,00
Übertrag                      415,00
Seite 1 von 2
"""
    p2 = """Übertrag                      415,00
Leistung                      Betrag
Röntgen                       100,00
Rechnungsbetrag               515,00 EUR
Seite 2 von 2
"""
    ex = extract_fields(pages_from(p1, p2))
    assert [i.amount for i in ex.line_items] == [Decimal("395.00"), Decimal("20.00"), Decimal("100.00")]
    assert ex.line_items[2].boxes[0][0] == 1
    assert ex.total_amount.value == Decimal("515.00")
    assert ex.total_amount.confidence > 0.9


def test_low_ocr_confidence_lowers_field_confidence():
    text = HEAD + "Gesamtbetrag                        350,50 EUR\n"
    good = extract_fields(pages_from(text))
    bad = extract_fields(pages_from(text, conf=0.4))
    assert bad.total_amount.value == good.total_amount.value
    assert bad.total_amount.confidence < 0.6 < good.total_amount.confidence


@pytest.mark.parametrize("pages", [
    [],
    [Page(0, 600, 800, [], "ocr")],
    pages_from("@@@ ### %%%\n~~~ ||| ;;;"),
    pages_from("1234 5678 90\n12 12 12"),
    [Page(0, 600, 800, [Word("", 0, 0, 0, 0, line=0), Word("   ", 1, 1, 2, 2, line=0)], "ocr")],
])
def test_odd_input_gives_missing_fields(pages):
    ex = extract_fields(pages)
    for name in ("invoice_date", "total_amount", "currency", "invoice_number", "patient_name"):
        fv = getattr(ex, name)
        assert fv.value is None and fv.confidence == 0
    assert ex.line_items == []


def test_garbage_words_never_raise():
    words = [Word(t, i * 10.0, 0, i * 10.0 + 8, 10, line=0) for i, t in enumerate(
        ["(", ")", "-", "--1", "1.2.3.4", "€", "$", "31/02/2026", "9" * 40, "1,2,3,4", "\u202f", "Total"])]
    ex = extract_fields([Page(0, 600, 800, words, "text")])
    assert ex.total_amount.value is None or isinstance(ex.total_amount.value, Decimal)


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from extractors import fields as fields_mod  # noqa: E402

_ALPHABET = st.sampled_from(list("0123456789.,'-()€$฿ :/|abcXYZTotalDtumäé\u00a0\u202fรวม") + ["  ", "Total", "VAT",
                                                                                            "Datum", "EUR"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(_ALPHABET, max_size=25).map("".join), max_size=8))
def test_random_text_never_breaks_the_extractor(lines):
    """Calls the inner function, so a bug is not hidden by extract_fields' safety net."""
    ex = fields_mod._extract(pages_from("\n".join(lines)))
    assert ex.total_amount.value is None or isinstance(ex.total_amount.value, Decimal)
    assert 0.0 <= ex.total_amount.confidence <= 1.0
    assert 0.0 <= ex.invoice_date.confidence <= 1.0


def test_long_number_runs_are_split_into_pieces():
    from extractors.numbers import find_numbers

    found = find_numbers(" ".join(["7"] * 400))
    assert len(found) == 400 and all(a.value == 7 for a in found)
    ex = fields_mod._extract(pages_from(" ".join(["1 234"] * 400) + "\nTotal 12.00"))
    assert ex.total_amount.value == Decimal("12.00")


def test_invoice_number_label_beats_a_house_number():
    doc = """Jakarta International Hospital      Invoice No.:  IV6805-66121
Jl. Bypass Ngurah Rai No. 34          Date of issue:  26/05/2025
Consultation   100.000
Grand Total    100.000 Rp
"""
    assert ext(doc).invoice_number.value == "IV6805-66121"


@pytest.mark.parametrize("label", ["Factura n.º:", "Factura n.%:", "Factura n.?:", "N.º factura:"])
def test_invoice_number_labels_with_ocr_noise(label):
    assert ext(f"Clinica\n{label}  4226550\nTotal  10,00 €\n").invoice_number.value == "4226550"
