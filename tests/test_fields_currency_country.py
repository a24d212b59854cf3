"""Currency symbols/codes, `$` and `kr` resolved by country evidence; country hints."""
import re

import pytest

from extractors.country import best_country, country_hints
from extractors.currency import find_mentions, resolve
from extractors.lang import detect_language


@pytest.mark.parametrize("text,code", [
    ("Total € 12,00", "EUR"), ("£45.00", "GBP"), ("฿ 1,250", "THB"), ("CHF 120.00", "CHF"),
    ("RM 50.00", "MYR"), ("Rp 1.250.000", "IDR"), ("R$ 99,90", "BRL"), ("S$ 20.00", "SGD"),
    ("AED 300", "AED"), ("300 د.إ", "AED"), ("Dhs 150.00", "AED"), ("US$ 12", "USD"), ("1 250 บาท", "THB"),
    ("Fr. 80.00", "CHF"), ("Total 12.00 EUR", "EUR"),
])
def test_unambiguous_mentions(text, code):
    codes = [m.code for m in find_mentions(text) if m.code]
    assert codes == [code]


def test_words_that_look_like_codes_are_ignored():
    assert find_mentions("VAT TAX THE PDF ALL NEW") == []


def test_dollar_needs_country():
    (m,) = find_mentions("Total $120.00")
    assert m.code is None and m.kind == "dollar"
    assert resolve("dollar", {"US": 5.0})[0] == "USD"
    assert resolve("dollar", {"SG": 5.0, "US": 0.2})[0] == "SGD"
    assert resolve("dollar", {"MX": 4.0})[0] == "MXN"
    assert resolve("dollar", {"AU": 4.0})[0] == "AUD"
    code, conf = resolve("dollar", {})
    assert code == "USD" and conf < 0.5
    assert resolve("krona", {"DK": 3.0})[0] == "DKK"


@pytest.mark.parametrize("text,cc", [
    ("Bumrungrad Hospital\n33 Sukhumvit Road, Bangkok 10110\nTel +66 2 066 8888", "TH"),
    ("Praxis Dr. Becker\nUSt-IdNr. DE123456789", "DE"),
    ("Huisartsenpraktijk\nKerkstraat 5\n1017 CE Amsterdam\nBTW-nr. NL123456789B01", "NL"),
    ("Cabinet médical\nN° TVA FR12345678901", "FR"),
    ("Clinica\nCIF: B12345678\nTel. 0034 912 345 678", "ES"),
    ("Studio medico\nP.IVA: IT12345678901", "IT"),
    ("Dubai clinic\nTRN: 100123456789012", "AE"),
    ("Clinic\nTax ID: 0107537000254 เลขประจำตัวผู้เสียภาษี", "TH"),
    ("Mount Elizabeth\nUEN: 201234567K", "SG"),
    ("Clinic\nNew York, NY 10016\nTel. +1 (212) 555-0100", "US"),
    ("Klinik\nVereinigte Arabische Emirate", "AE"),
    ("Hôpital\nÉtats-Unis", "US"),
])
def test_country_evidence(text, cc):
    hints = country_hints(text, None)
    assert best_country(hints)[0] == cc


def test_patient_address_counts_less_than_provider():
    text = ("Bangkok Hospital\nBangkok 10310, Thailand\nPatient: Jan Jansen\nKerkstraat 1, 1017 AB Amsterdam\n"
            "Nederland\nTel +31 6 1234 5678")
    hints = country_hints(text, None)
    assert best_country(hints)[0] == "TH"


def test_currency_is_weak_evidence_and_never_for_eur():
    assert country_hints("x", "THB").get("TH", 0) > 0
    assert country_hints("x", "EUR") == {}
    assert country_hints("x", "USD").get("US", 0) < 1


def test_confidence_reflects_margin():
    close = best_country({"DE": 2.0, "AT": 1.8})[1]
    clear = best_country({"DE": 8.0, "AT": 0.3})[1]
    assert clear > 0.9 > close


@pytest.mark.parametrize("text,lang", [
    ("Rechnung für die Behandlung und der Betrag ist bitte zu zahlen", "de"),
    ("Factuur voor de behandeling, het bedrag graag te betalen", "nl"),
    ("Facture pour le patient, montant total à payer, merci", "fr"),
    ("Factura del paciente, importe total a pagar, gracias", "es"),
    ("Fattura del paziente, importo totale, grazie della visita", "it"),
    ("Fatura do paciente, valor total, obrigado", "pt"),
    ("Invoice for the patient, total amount due, thank you", "en"),
    ("ใบแจ้งหนี้ โรงพยาบาล กรุงเทพ ผู้ป่วย รวมทั้งสิ้น", "th"),
    ("", None), ("12345 678", None),
])
def test_language(text, lang):
    assert detect_language(text) == lang


def test_year_and_code_are_not_a_dutch_postcode():
    text = "23 novembre 2024 CS Frais de séjour 1 145,68\n25 novembre 2024 CS Analyse 1 39,00"
    assert "NL" not in country_hints(text, None)
    assert country_hints("Kerkstraat 5\n1017 CE Amsterdam", None)["NL"] > 1


def test_patient_label_in_a_right_hand_column_does_not_mute_the_provider_address():
    text = ("Clinique Saint-Joseph   N° de facture: 2024-56065\n33000 Bordeaux   Nom du patient: Eva Mensah\n"
            "France   N° patient: 893201\nTel. +33 5 78 61 52 44")
    assert country_hints(text, None)["FR"] >= 5


def test_double_zero_prefix_counts_only_on_a_phone_line():
    assert "SE" not in country_hints("Tax ID: 0046322373149", None)
    assert country_hints("Tel: 0046 8 123 456 78", None).get("SE", 0) > 2


def _plain(words) -> "re.Pattern":
    import re

    keys = sorted(words, key=len, reverse=True)
    return re.compile(r"(?<![\w])(" + "|".join(re.escape(k) for k in keys) + r")(?![\w])")


def _spans(rx, text: str) -> list:
    return [(m.start(1), m.group(1)) for m in rx.finditer(text)]


def test_trie_alternation_matches_what_the_plain_alternation_matched():
    """The country names' regex is a trie now (a plain alternation of ~1,450 names tried each
    at every position: 1.0 ms of a document's 5 ms of field extraction; the trie 0.1 ms). Same
    matches, longest first, falling back to a shorter name when a longer one runs into a word."""
    import random
    import re

    from extractors.country import _names
    from extractors.textutil import trie_pattern

    small = ["san", "san jose", "jose", "ab", "abc", "a.b.", "u.s.a.", "usa", "x y z", "x y"]
    rx = re.compile(r"(?<![\w])(" + trie_pattern(small) + r")(?![\w])")
    assert _spans(rx, "san josef, san jose; abcd abc u.s.a. x y zz") == [
        (0, "san"), (11, "san jose"), (26, "abc"), (30, "u.s.a."), (37, "x y")]
    rng = random.Random(5)
    for _ in range(300):
        text = " ".join(rng.choice(small + ["q", "san j", "ab.", "x"]) for _ in range(8))
        assert _spans(rx, text) == _spans(_plain(small), text), text

    trie, table = _names()
    plain = _plain(table)
    names = sorted(table)
    texts = [f"{rng.choice(names)}{rng.choice([' ', ', ', '-', 'x', ''])}{rng.choice(names)} "
             f"{rng.choice(names)[:-1]} 12 {rng.choice(names)}" for _ in range(400)]
    texts.append(" ".join(names))
    for text in texts:
        assert _spans(trie, text) == _spans(plain, text), text


def test_required_text_of_a_pattern():
    from extractors.country import required_text

    assert required_text(r"\bDE ?\d{9}\b") == ("DE",)
    assert required_text(r"\b(?:KvK|AGB-code)\b") == ("KvK", "AGB-code")
    assert required_text(r"\b(?:NIPC|NIF)\W") == ("NI",)  # the parser's common prefix
    assert required_text(r"\b(?:P\.? ?IVA|C\.F\.)") is None  # one branch starts with one letter
    assert required_text(r"\b\d{2}\.\d{3}") is None
    assert required_text(r"(") is None  # not a pattern: no shortcut, the search decides


TAX_LINES = [
    "USt-IdNr. DE123456789", "Steuernummer 12/345/67890", "BTW-nummer NL123456789B01",
    "KvK 12345678", "SIRET 123 456 789 00012", "N° ADELI 123456789", "NIF B12345678",
    "P.IVA 12345678901", "Partita IVA 12345678901", "IT12345678901", "CHE-123.456.789 MWST",
    "UID: CHE", "ATU12345678", "BE 0123.456.789", "RIZIV 1-23456-78-901", "NIPC PT123456789",
    "GST Reg No: M2-1234567-8", "Co. Reg. No: 123456-X", "TRN 100123456789012",
    "Tax ID 0105551234567", "เลขประจำตัวผู้เสียภาษี 0105551234567", "UEN 201912345K",
    "NPWP 01.234.567.8-901.000", "CNPJ 12.345.678/0001-90", "RFC ABC123456XY9",
    "GSTIN 27ABCDE1234F1Z5", "EIN 12-3456789 NPI 1234567890", "ABN 12 345 678 901",
    "SST W10-1234-56789012", "FR12345678901 GB123 4567 89", "no tax id here", "",
    "MWST inbegriffen", "NPWP", "1012 AB Amsterdam", "Tel. +31 20 123 4567", "SW1A 1AA", "Miami, FL 33101",
]


def test_the_tax_id_shortcut_never_skips_a_line_the_search_would_find(monkeypatch):
    """Each tax-id pattern is tried only on lines holding its required text (and lines holding no
    literal at all only with the patterns that have none): on these lines (hits
    for nearly every pattern) the scores equal those of searching every line with every pattern."""
    from extractors import country

    assert sum(1 for rx, _, _ in country._TAX if any(rx.search(ln) for ln in TAX_LINES)) \
        >= len(country._TAX) - 3
    text = "\n".join(TAX_LINES)
    country._text_scores.cache_clear()
    with_shortcut = country._text_scores(text)
    every = [(rx, c, w, None) for rx, c, w in country._TAX]
    monkeypatch.setattr(country, "_TAX_CHECKS", every)
    monkeypatch.setattr(country, "_TAX_OPEN", every)  # lines with no literal: every pattern too
    monkeypatch.setattr(country, "_DIGIT", re.compile(""))  # and lines with no digit: every check
    country._text_scores.cache_clear()
    assert country._text_scores(text) == with_shortcut
    country._text_scores.cache_clear()
