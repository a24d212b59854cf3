"""Tesseract calls: orientation/script detection and word reading."""
from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass

import cv2
import numpy as np

os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # one core per tesseract process

import pytesseract  # noqa: E402
from pytesseract import Output, TesseractError  # noqa: E402

from . import tess_engine  # noqa: E402

LATIN_LANG = "eng"
THAI_LANG = "tha+eng"
ALL_LATIN = "eng+nld+deu+fra+spa+ita+por"  # used when a page's language cannot be guessed
TESS_LANG = {"en": "eng", "nl": "nld+eng", "de": "deu+eng", "fr": "fra+eng", "es": "spa+eng",
             "it": "ita+eng", "pt": "por+eng"}
LID_SCALE = 0.5  # the language-guessing pass runs on a half-size copy
OCR_TIMEOUT = 120  # seconds per call; a page that takes longer is not worth waiting for
MIN_OSD_CONF = 1.5


@dataclass
class OcrWord:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    conf: float


@dataclass
class Probe:
    """A quick English read of a half-size copy, used to check orientation and script."""
    words: list  # OcrWord in half-size pixels
    quality: float  # mean confidence of word-like tokens, sideways-boxed words counted as 0
    score: float  # summed confidence of level word-like tokens read with conf >= 0.6


@dataclass
class Orientation:
    rotate: int = 0  # clockwise degrees to turn the image upright
    confidence: float = 0.0
    script: str = "Latin"


def detect_orientation(gray: np.ndarray) -> Orientation:
    """Tesseract OSD on a half-size copy; sparse pages fall back to 'upright, Latin'."""
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    h, w = gray.shape
    f = min(1.0, 1800.0 / max(h, w))
    small = cv2.resize(gray, (int(w * f), int(h * f)), interpolation=cv2.INTER_AREA) if f < 1 else gray
    try:
        out = pytesseract.image_to_osd(small, config="--psm 0", timeout=OCR_TIMEOUT)
    except (TesseractError, RuntimeError):  # too few characters, or timeout
        return Orientation()
    rot = re.search(r"Rotate:\s*(\d+)", out)
    conf = re.search(r"Orientation confidence:\s*([\d.]+)", out)
    script = re.search(r"Script:\s*(\w+)", out)
    res = Orientation(script=script.group(1) if script else "Latin")
    if rot and conf and float(conf.group(1)) >= MIN_OSD_CONF:
        res.rotate = int(rot.group(1)) % 360
        res.confidence = float(conf.group(1))
    return res


# Words that give away an invoice's language (lower case, accents removed).
_KEYWORDS = {
    "de": "rechnung und der die das fur mit von betrag gesamtbetrag summe datum behandlung arzt praxis "
          "strasse zahlbar mwst januar februar marz juni juli oktober dezember leistung untersuchung "
          "gebuhr uberweisung krankengymnastik patient zahnarzt",
    "fr": "facture le la les des du et pour montant total date consultation medecin hopital frais reglement "
          "janvier fevrier mars avril juin juillet aout septembre octobre novembre decembre numero "
          "telephone sejour docteur clinique",
    "es": "factura el los las del y para importe total fecha consulta medica medico atencion urgencias "
          "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre "
          "numero telefono pagado clinica",
    "it": "fattura il lo gli del della e per importo totale data visita citta prestazione gennaio febbraio "
          "marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre numero ospedale "
          "pagamento",
    "pt": "fatura o os do da e para valor total data consulta emergencia acao nao janeiro fevereiro marco "
          "abril maio junho julho agosto setembro outubro novembro dezembro exame medico informacao "
          "pagamento",
    "nl": "factuur de het een van en voor bedrag totaal datum behandeling fysiotherapie patient "
          "zorgverlener tandarts januari februari maart april mei juni juli augustus oktober december "
          "huisarts nota",
    "en": "invoice the and of for amount total date consultation physician patient treatment hospital "
          "payment receipt due january february march april may june july august september october "
          "november december number doctor",
}
_KEYWORDS = {k: set(v.split()) for k, v in _KEYWORDS.items()}


def _fold(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", s.lower()) if c.isalpha() and not unicodedata.combining(c))


def guess_language(texts: list[str]) -> tuple[str | None, int]:
    """(language code, keyword hits) from OCR'd words; (None, 0) when nothing matches."""
    scores = dict.fromkeys(_KEYWORDS, 0)
    for t in texts:
        f = _fold(t)
        for code, kw in _KEYWORDS.items():
            if f in kw:
                scores[code] += 1
    best = max(scores, key=scores.get)
    return (best, scores[best]) if scores[best] else (None, 0)


def half_size(gray: np.ndarray) -> np.ndarray:
    h, w = gray.shape
    return cv2.resize(gray, (max(1, int(w * LID_SCALE)), max(1, int(h * LID_SCALE))), interpolation=cv2.INTER_AREA)


def _wordlike(w: OcrWord) -> bool:
    return sum(c.isalnum() for c in w.text) >= 2


def _level(w: OcrWord) -> bool:
    """Tesseract reads text turned 90 degrees as vertical lines with good confidence;
    such words come back with boxes taller than wide."""
    return len(w.text) < 3 or (w.x1 - w.x0) >= (w.y1 - w.y0)


def rate(words: list[OcrWord]) -> Probe:
    real = [w for w in words if _wordlike(w)]
    level = [w for w in real if _level(w)]
    quality = sum(w.conf for w in level) / len(real) if real else 0.0
    return Probe(words, quality, sum(w.conf for w in level if w.conf >= 0.6))


def probe(small: np.ndarray, lang: str = LATIN_LANG) -> Probe:
    """Rate a quick read of an (already half-size) image; an empty probe on tesseract errors."""
    try:
        return rate(read_words(small, lang))
    except (TesseractError, RuntimeError):
        return Probe([], 0.0, 0.0)


def looks_thai(small: np.ndarray, latin: Probe) -> bool:
    """Is this poorly read page Thai? Thai invoices give English keyword hits only (their
    Latin parts are English), read about as well with `tha` as with `eng` (Latin pages
    0.09-0.28 worse), and `tha` reads their Thai words with mean confidence 0.80-0.84
    (0.67-0.76 for the Thai-looking garbage it makes of Latin text)."""
    code, hits = guess_language([w.text for w in latin.words])
    if code not in (None, "en") and hits >= 3:
        return False
    thai = probe(small, "tha")
    conf = [w.conf for w in thai.words if any("\u0e00" <= c <= "\u0e7f" for c in w.text)]
    return len(conf) >= 10 and sum(conf) / len(conf) >= 0.78 and thai.quality > latin.quality - 0.06


def choose_language(gray: np.ndarray, script: str, words: list[OcrWord] | None = None) -> tuple[str, str | None, int]:
    """Tesseract language string for an upright page: (tess_lang, language code, hits).

    Thai script -> tha+eng. Latin: a quick English pass on a half-size copy, then
    keyword voting picks the language (`words`: that pass, when already done); "<lang>+eng"
    reads accents far better than eng alone or all languages at once.
    """
    if script == "Thai":
        return THAI_LANG, "th", 0
    if words is None:
        try:
            words = read_words(half_size(gray), LATIN_LANG)
        except (TesseractError, RuntimeError):
            return ALL_LATIN, None, 0
    code, hits = guess_language([w.text for w in words])
    return (TESS_LANG[code] if code else ALL_LATIN), code, hits


def read_words(gray: np.ndarray, lang: str = LATIN_LANG, psm: int = 3) -> list[OcrWord]:
    """Words with boxes in the pixels of `gray` and confidences in 0..1.

    The resident engine (tess_engine: same library and models, no process per call) when this
    machine has it, else the tesseract command through pytesseract; both give the same words."""
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    if tess_engine.available():
        return words_from_tsv(tess_engine.image_to_tsv(gray, lang, psm, OCR_TIMEOUT))
    d = pytesseract.image_to_data(gray, lang=lang, config=f"--psm {psm}", output_type=Output.DICT,
                                  timeout=OCR_TIMEOUT)
    return _words(d["text"], d["conf"], d["left"], d["top"], d["width"], d["height"])


def words_from_tsv(tsv: str) -> list[OcrWord]:
    """OcrWords from tesseract's TSV rows (level, page, block, par, line, word, left, top,
    width, height, conf, text); a header row, if any, is skipped."""
    cols: tuple[list, ...] = ([], [], [], [], [], [])
    for row in tsv.splitlines():
        parts = row.split("\t")
        if len(parts) < 11 or not parts[0].isdigit():
            continue
        text = parts[11] if len(parts) > 11 else ""
        for col, value in zip(cols, (text, parts[10], parts[6], parts[7], parts[8], parts[9])):
            col.append(value)
    return _words(*cols)


def _words(texts, confs, lefts, tops, widths, heights) -> list[OcrWord]:
    words = []
    for text, conf, x, y, w, h in zip(texts, confs, lefts, tops, widths, heights):
        text = (text or "").strip()
        conf = int(float(conf))  # whole percent, as pytesseract reads the command's TSV
        if not text or conf < 0:
            continue
        x, y, w, h = int(x), int(y), int(w), int(h)
        words.append(OcrWord(text, float(x), float(y), float(x + w), float(y + h), min(1.0, conf / 100.0)))
    return words
