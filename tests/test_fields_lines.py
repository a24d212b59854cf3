"""Row building from OCR words: table rules, duplicate words, Thai clusters; arithmetic corroboration."""
from datetime import date
from decimal import Decimal

from extractors.fields import extract_fields
from extractors.textutil import build_lines
from extractors.types import Page, Word
from fields_helpers import pages_from


def row(*items, conf=0.95):
    """items: (text, x0, x1) on one OCR row."""
    return [Word(t, x0, 100, x1, 120, page=0, conf=conf, line=0) for t, x0, x1 in items]


def test_table_rules_become_column_breaks_and_duplicates_go():
    words = row(("|", 50, 52), ("SP995", 60, 100), ("SP995", 64, 96), ("|", 104, 106), ("MRI", 110, 130),
                ("knie", 134, 160), ("|", 170, 172), ("411,83", 400, 440))
    (line,) = build_lines([Page(0, 600, 800, words, "ocr")])
    assert line.text == "SP995  MRI knie  411,83"


def test_thai_clusters_are_joined():
    words = row(("ร", 10, 18), ("ว", 19, 27), ("ม", 28, 36), ("/", 44, 48), ("Subtotal", 56, 110))
    (line,) = build_lines([Page(0, 600, 800, words, "ocr")])
    assert line.text.startswith("รวม /")


def test_tax_registration_number_does_not_spoil_the_arithmetic():
    doc = """Edinburgh Clinic
Invoice #: RE-2025-70838
Date: 21 Jun 2025
Item                         Charges
CT scan abdomen               115.00
Anaesthesia                    92.87
Sub-total                     207.87
Tax 20%                        41.57
Invoice Total                 249.44 GBP
VAT Reg No: GB763 9802 53   Page 2 of 2
"""
    ex = extract_fields(pages_from(doc))
    assert ex.total_amount.value == Decimal("249.44")
    assert ex.total_amount.confidence > 0.9
    assert ex.review_reasons == []


def test_unreadable_total_is_rebuilt_from_items_and_confirmed_by_insurance_split():
    doc = """Manchester Medical Clinic
Invoice date: 26/10/2024
Date        Service                    Charges
11/10/2024  Orthopaedic consultation     79.71
11/10/2024  Health check-up package     395.00
Grand Total  ATA71E
Less insurance payment                 -332.30
Patient share                           142.41
"""
    ex = extract_fields(pages_from(doc))
    assert ex.total_amount.value == Decimal("474.71")
    assert ex.total_amount.confidence >= 0.9
    alone = extract_fields(pages_from(doc.replace("Less insurance payment                 -332.30\n", "")))
    assert alone.total_amount.value == Decimal("474.71")
    assert alone.total_amount.confidence < 0.5


def test_service_dates_under_a_column_header_are_not_the_invoice_date():
    doc = """Chen Dental Care
Invoice No.: RE-2023-74399
Date: 08/09/2023
Tel. +60 3-4843 5459
Date        Code   Description          Amount
24/08/2023  DE401  Tooth extraction     617.50
Total Amount                        MYR 617.50
"""
    ex = extract_fields(pages_from(doc))
    assert ex.invoice_date.value == date(2023, 9, 8)
    assert ex.invoice_date.confidence >= 0.9


def test_mostly_unreadable_ocr_caps_confidence():
    text = "Klinik\nRechnungsdatum: 03.03.2026\nBeratung  50,00\nGesamtbetrag  50,00 EUR\n"
    pages = pages_from(text, conf=0.3)
    ex = extract_fields(pages)
    assert ex.total_amount.confidence < 0.5
    assert ex.currency.confidence < 0.5


def test_item_whose_amount_wraps_to_the_next_row():
    doc = """St.-Josef-Krankenhaus Basel
Datum: 30.09.2024
-----------------------------------------------
5 x Unterkunft und Verpflegung (Einbettzimmer)
                                      3'416.55
MRT Kniegelenk                          557.12
-----------------------------------------------
Summe                              CHF 3'973.67
"""
    ex = extract_fields(pages_from(doc))
    assert [(i.description, i.amount) for i in ex.line_items] == [
        ("5 x Unterkunft und Verpflegung (Einbettzimmer)", Decimal("3416.55")),
        ("MRT Kniegelenk", Decimal("557.12"))]
    assert len(ex.line_items[0].boxes) == 2
    assert ex.total_amount.value == Decimal("3973.67") and ex.total_amount.confidence > 0.9


MISREAD = """Bangkok Clinic
Date: 12/03/2025
Description                     Amount
Consultation                  1,200.00
Medicines                       348.20
Subtotal                      1,548.20
VAT 7%                          108.37
Grand Total                   1,956.57
Insurance covers             -1,325.26
Amount due                      331.31
"""


def test_misread_total_is_replaced_when_items_and_the_insurance_split_agree_but_stays_in_review():
    ex = extract_fields(pages_from(MISREAD))
    assert ex.total_amount.value == Decimal("1656.57")  # 1,548.20 + 108.37 = 1,325.26 + 331.31
    assert ex.total_amount.confidence <= 0.6
    assert "line_items_mismatch" in ex.review_reasons


def test_misread_total_is_kept_when_only_the_base_is_known():
    ex = extract_fields(pages_from(MISREAD.replace("Insurance covers             -1,325.26\n", "")))
    assert ex.total_amount.value == Decimal("1956.57")
    assert ex.total_amount.confidence < 0.6


def test_insurance_and_balance_confirm_the_printed_total():
    doc = MISREAD.replace("1,956.57", "1,656.57").replace("VAT 7%                          108.37\n", "VAT % ~\n")
    ex = extract_fields(pages_from(doc))
    assert ex.total_amount.value == Decimal("1656.57")
    assert ex.total_amount.confidence > 0.9


SPLIT = """Singapore General Hospital
Invoice date: 10/03/2025
Item                            Charges
Room & board - private room      539.00
Cardiology consultation          536.07
MRI knee                         431.00
Total Amount                   1,506.07 SGD
Insurance covers                -753.04
Patient share                    753.03
"""


def test_items_adding_up_to_a_total_paid_plus_left_confirms_raise_nothing():
    ex = extract_fields(pages_from(SPLIT))
    assert ex.total_amount.value == Decimal("1506.07") and ex.total_amount.confidence > 0.9
    assert len(ex.line_items) == 3 and "line_items_mismatch" not in ex.review_reasons


def test_a_misread_line_under_a_confirmed_total_is_a_mismatch():
    # OCR lost the decimal point of one line ("1 536.07" read as "153607"): the total stands,
    # paid + left confirm it, but the lines the treatment type is read from are wrong
    ex = extract_fields(pages_from(SPLIT.replace("536.07", "153607")))
    assert ex.total_amount.value == Decimal("1506.07") and ex.total_amount.confidence > 0.9
    assert "line_items_mismatch" in ex.review_reasons
    # a line missed altogether, likewise
    ex = extract_fields(pages_from(SPLIT.replace("MRI knee                         431.00\n", "")))
    assert "line_items_mismatch" in ex.review_reasons


def test_a_priced_line_that_reads_like_label_and_value_is_an_item():
    # no table header: the items start after the last header-like line; "Labor: CRP 68,00"
    # ends in an amount with cents, so it is the first item, not a "label: value" line
    doc = """Labor Köln MVZ
Schillerstr. 91
50667 Köln
Deutschland
Tel. +49 221 8873370
Quittung
Rechnungsnummer: F2025/80559
Datum: 11. Juni 2025
Patient: Anna Becker
-----------------------------------------------------------
Labor: CRP 68,00
Laboruntersuchung Blutbild 49,00
Labor: CRP 44,00
-----------------------------------------------------------
Rechnungsbetrag 161,00 EUR
Bereits bezahlt -32,20
Restbetrag 128,80
Vielen Dank für Ihr Vertrauen.
IBAN DE77 2021 1958 6952 82
USt-IdNr.: DE375792036
"""
    ex = extract_fields(pages_from(doc))
    assert [i.amount for i in ex.line_items] == [Decimal("68.00"), Decimal("49.00"), Decimal("44.00")]
    assert ex.total_amount.value == Decimal("161.00") and "line_items_mismatch" not in ex.review_reasons
