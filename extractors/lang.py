"""Cheap language guess from stopwords and script."""
from __future__ import annotations

import re
from functools import lru_cache

from extractors.textutil import fold

STOPWORDS = {
    "en": "the and of to for with from date invoice total amount patient due paid please thank you is are this your number",
    "nl": "de het een en van voor met aan op te betalen datum factuur totaal bedrag omschrijving bij naar uw graag",
    "de": "der die das und für fur mit von zu zum zur bitte rechnung datum gesamtbetrag betrag leistung nicht ist ihre",
    "fr": "le la les et des du pour avec une au aux facture date montant total payer nous votre merci",
    "es": "el la los las y del para con una por factura fecha importe total pagar gracias su paciente",
    "it": "il lo la gli le e di del della per con una fattura data importo totale pagare grazie",
    "pt": "o a os as e do da dos das para com uma fatura data valor total pagar obrigado seu",
}
_SETS = {lang: set(fold(ws).split()) for lang, ws in STOPWORDS.items()}
# Words that decide between close languages.
_STRONG = {
    "en": {"the", "invoice", "thank", "please", "amount"},
    "nl": {"het", "factuur", "totaal", "betalen", "omschrijving"},
    "de": {"der", "die", "das", "und", "rechnung", "gesamtbetrag", "bitte"},
    "fr": {"le", "les", "facture", "montant", "merci"},
    "es": {"el", "los", "factura", "importe", "fecha", "gracias"},
    "it": {"il", "fattura", "importo", "totale", "grazie", "della"},
    "pt": {"fatura", "obrigado", "valor", "dos", "das"},
}


@lru_cache(maxsize=8)  # a document asks twice: for its language and for its country evidence
def detect_language(text: str) -> str | None:
    if not text or not text.strip():
        return None
    thai = len(re.findall(r"[\u0e00-\u0e7f]", text))
    latin = len(re.findall(r"[A-Za-zÀ-ÿ]", text))
    if thai > 20 and thai >= 0.2 * latin:
        return "th"
    words = re.findall(r"[^\W\d_]+", fold(text))
    if not words:
        return None
    scores = {}
    for lang, sw in _SETS.items():
        scores[lang] = sum(1 for w in words if w in sw) + 2 * sum(1 for w in words if w in _STRONG[lang])
    best = max(scores, key=scores.get)
    return best if scores[best] >= 2 else None
