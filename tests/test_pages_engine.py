"""The resident tesseract engine (extractors/tess_engine.py) reads exactly like the command."""
import json
import os
import threading

import numpy as np
import pytest
from PIL import Image, ImageFilter

from extractors import ocr, tess_engine
from extractors.preprocess import prepare
from pages_helpers import text_image

pytestmark = pytest.mark.ocr

if not tess_engine.available():
    if os.environ.get("CI"):
        raise RuntimeError("CI must have Debian's libtesseract.so.5 (package libtesseract5)")
    pytest.skip("libtesseract.so.5 not on this machine", allow_module_level=True)


def _pages():
    clean = np.asarray(text_image().convert("L"))
    tilted = np.asarray(text_image().rotate(3, expand=True, fillcolor=255, resample=Image.BICUBIC))
    blur = np.asarray(text_image().convert("L").filter(ImageFilter.GaussianBlur(1.5)))
    noisy = np.clip(blur.astype(int) + np.random.default_rng(5).integers(-25, 25, blur.shape), 0, 255)
    return [clean, prepare(tilted).image, prepare(noisy.astype(np.uint8)).image]


def _cli_words(monkeypatch, img, lang):
    with monkeypatch.context() as m:
        m.setenv("CLAIMFLOW_OCR_ENGINE", "cli")
        assert not tess_engine.available()
        return ocr.read_words(img, lang)


@pytest.mark.parametrize("lang", ["eng", "deu+eng"])
def test_resident_engine_gives_the_commands_words(monkeypatch, lang):
    for img in _pages():
        resident = ocr.read_words(img, lang)
        assert resident, "nothing read"
        assert resident == _cli_words(monkeypatch, img, lang)  # texts, boxes, confidences
    assert lang in tess_engine.loaded_languages()


def test_cli_switch_uses_the_command(monkeypatch):
    calls = []
    real = ocr.pytesseract.image_to_data
    monkeypatch.setattr(ocr.pytesseract, "image_to_data", lambda *a, **k: calls.append(k) or real(*a, **k))
    img = _pages()[0]
    ocr.read_words(img, "eng")
    assert calls == []  # the resident engine, no process
    monkeypatch.setenv("CLAIMFLOW_OCR_ENGINE", "cli")
    ocr.read_words(img, "eng")
    assert len(calls) == 1 and calls[0]["timeout"] == ocr.OCR_TIMEOUT


def test_engine_is_loaded_once_and_evicted_when_too_many(monkeypatch):
    img = _pages()[0]
    tess_engine.close_all()  # engines loaded by earlier tests would not be loaded again here
    ocr.read_words(img, "eng")
    first = tess_engine._engine("eng")
    assert tess_engine._engine("eng") is first  # kept between calls
    monkeypatch.setattr(tess_engine, "MAX_ENGINES", 1)
    words = ocr.read_words(img, "fra+eng")
    assert tess_engine.loaded_languages() == ["fra+eng"] and first.handle is None  # freed
    assert "Gesamtbetrag" in [w.text for w in words]
    assert ocr.read_words(img, "eng") == _cli_words(monkeypatch, img, "eng")  # reloaded


def test_deadline_raises_like_the_command_timeout_and_engine_recovers(monkeypatch):
    img = _pages()[0]
    with pytest.raises(RuntimeError, match="did not finish"):  # OcrTimeout: caught where timeouts are
        tess_engine.image_to_tsv(img, "eng", 3, timeout_s=0.001)
    assert ocr.read_words(img, "eng") == _cli_words(monkeypatch, img, "eng")
    assert ocr.probe(img).words  # probe() still reads after a timed-out call


def test_threads_share_an_engine_safely():
    img = _pages()[0]
    want = ocr.read_words(img, "eng")
    got = [None] * 4

    def work(i):
        got[i] = ocr.read_words(img, "eng")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == [want] * 4


def test_forked_child_loads_its_own_engine():
    img = _pages()[0]
    want = [w.text for w in ocr.read_words(img, "eng")]  # the parent holds an engine
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: read, report, leave without running the parent's exit handlers
        code = 1
        try:
            texts = [x.text for x in ocr.read_words(img, "eng")]
            os.write(w, json.dumps([os.getpid(), tess_engine._engines_pid, texts]).encode())
            code = 0
        finally:
            os._exit(code)
    os.close(w)
    with os.fdopen(r) as f:
        out = f.read()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    child, engines_pid, texts = json.loads(out)
    assert engines_pid == child == pid != os.getpid()  # the child made its own engine
    assert texts == want


def test_tsv_rows_parse_like_pytesseract():
    tsv = ("level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
           "1\t1\t0\t0\t0\t0\t0\t0\t100\t50\t-1\t\n"
           "5\t1\t1\t1\t1\t1\t10\t20\t30\t12\t96.390892\tTotal\n"
           "5\t1\t1\t1\t1\t2\t45\t20\t30\t12\t12.5\t \n"
           "5\t1\t1\t1\t1\t3\t80\t21\t40\t11\t0\t227,80")
    words = ocr.words_from_tsv(tsv)
    assert [(w.text, w.x0, w.y0, w.x1, w.y1, w.conf) for w in words] == [
        ("Total", 10.0, 20.0, 40.0, 32.0, 0.96), ("227,80", 80.0, 21.0, 120.0, 32.0, 0.0)]
