"""fold: lowercase, accent-free, Thai digits as ASCII, one char per char."""
from extractors.textutil import THAI_DIGITS, fold, fold_char


def test_fold_examples():
    assert fold("Patiënt ÉTÉ Straße") == "patient ete straße"
    assert fold("ใบแจ้งหนี้ ๑๒๓") == "ใบแจ้งหนี้ 123"
    assert fold("İstanbul") == "istanbul"  # "İ".lower() is two chars: the first is kept
    assert fold("Plain ASCII 42") == "plain ascii 42"


def test_fold_is_fold_char_per_char_and_keeps_length():
    """Every char up to U+3000 (with Thai digits) folds as fold_char does:
    the table fold uses is filled lazily, so a char's second use must give what its first gave."""
    chars = [chr(i) for i in range(0x20, 0x3000) if not 0xD800 <= i < 0xE000]
    text = "".join(chars)
    for _ in range(2):
        folded = fold(text)
        assert len(folded) == len(text)
        assert folded == "".join(fold_char(c.translate(THAI_DIGITS)) for c in text)
