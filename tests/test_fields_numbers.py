"""Amount parsing in every locale style -> exact Decimal."""
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.numbers import find_numbers, format_amount, parse_number


@pytest.mark.parametrize("text,value", [
    ("1.234,56", "1234.56"), ("1,234.56", "1234.56"), ("1 234,56", "1234.56"),
    ("1\u00a0234,56", "1234.56"), ("1\u202f234,56", "1234.56"), ("1'234.50", "1234.50"),
    ("1’234.50", "1234.50"), ("1.250.000", "1250000"), ("12.345.678,90", "12345678.90"),
    ("-12,00", "-12.00"), ("(12.00)", "-12.00"), ("12.00-", "-12.00"), ("−5,50", "-5.50"),
    ("0,5", "0.5"), ("150", "150"), ("12.5", "12.5"),
])
def test_parse_formats(text, value):
    a = parse_number(text)
    assert a is not None
    assert isinstance(a.value, Decimal)
    assert a.value == Decimal(value)


@pytest.mark.parametrize("text", ["12.03.2026", "1.23.456", "1,2,3", "abc", "", "1.234.56,7", "1.234,567,89"])
def test_not_a_number(text):
    assert parse_number(text) is None


def test_lone_thousands_separator_is_ambiguous_without_context():
    a = parse_number("1.234")
    assert a.ambiguous and a.value == Decimal("1234")


def test_lone_separator_resolved_by_document_and_currency():
    assert parse_number("1.234", hint_decimal=",").value == Decimal("1234")
    assert not parse_number("1.234", hint_decimal=",").ambiguous
    assert parse_number("1,234", hint_decimal=".").value == Decimal("1234")
    assert parse_number("1,234", hint_decimal=",").value == Decimal("1.234")
    assert parse_number("1.250", minor_units=0).value == Decimal("1250")
    assert not parse_number("1.250", minor_units=0).ambiguous


@pytest.mark.parametrize("line,values", [
    ("Total EUR 1.234,56", ["1234.56"]),
    ("THB 1,250", ["1250"]),
    ("Rp1.250.000", ["1250000"]),
    ("€12,00", ["12.00"]),
    ("12,00EUR", ["12.00"]),
    ("Consult  1  1 234,56  1 234,56", ["1", "1234.56", "1234.56"]),
    ("INV2026001", []),
    ("VAT 21%  12.00", ["12.00"]),
])
def test_find_numbers_in_lines(line, values):
    assert [str(a.value) for a in find_numbers(line)] == values


STYLES = ["en", "de", "fr", "fr_nbsp", "fr_space", "ch", "plain"]


@settings(max_examples=300, deadline=None)
@given(value=st.decimals(min_value=Decimal("-99999999.99"), max_value=Decimal("99999999.99"), places=2,
                         allow_nan=False, allow_infinity=False),
       style=st.sampled_from(STYLES))
def test_roundtrip_every_locale(value, style):
    text = format_amount(value, style)
    found = find_numbers(text)
    assert len(found) == 1, text
    assert found[0].value == value


_PIECES = ["1.234", "1,234", "0.500", "12.345", "1.234,56", "12,00", "1 234", "(1.250)", "2.500-", "EUR",
           "Rp", "USD", "kr", "$", "abc", " ", "  ", ".", ",", "7", "1'234", "CHF1.234", "12,345,678"]


@settings(max_examples=400, deadline=None)
@given(parts=st.lists(st.sampled_from(_PIECES), min_size=1, max_size=8),
       hint=st.sampled_from([None, ".", ","]), minor=st.sampled_from([None, 0, 2]))
def test_reading_with_hints_afterwards_matches_reading_with_them(parts, hint, minor):
    """fields reads each line once with no hints and applies the document's hints afterwards."""
    from extractors.numbers import with_hint

    text = "".join(parts)
    direct = find_numbers(text, hint, minor)
    after = with_hint(find_numbers(text), text, hint, minor)
    assert [(a.value, a.decimal_sep, a.group_sep, a.ambiguous, a.start, a.end) for a in after] == \
        [(a.value, a.decimal_sep, a.group_sep, a.ambiguous, a.start, a.end) for a in direct]


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet="abXYZ$1 _²½éภู้.-€", max_size=8))
def test_letters_before_a_number_as_the_pattern_reads_them(text):
    import re

    from extractors.numbers import _word_before

    assert _word_before(text) == re.search(r"[^\W\d_]*\$?$", text).group(0)
