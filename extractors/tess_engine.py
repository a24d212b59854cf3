"""Resident tesseract: Debian's libtesseract through its C API (ctypes), one loaded engine per
language string per process.

The tesseract command (what pytesseract runs) starts a process, loads the language models and
reads a PNG that pytesseract first encodes: ~0.15 s per call plus ~0.06 s of PNG encoding for a
page, twice per page. Here the same library, models and settings read the same pixels and
return the same TSV, so the words, boxes and confidences are identical (tested); the fixed cost
is paid once per language per process. When the library is missing (not Debian, another
soname) `available()` is False and callers use pytesseract.
"""
from __future__ import annotations

import atexit
import ctypes
import ctypes.util
import os
import threading
from collections import OrderedDict

import numpy as np

LIB_NAMES = ("libtesseract.so.5", "tesseract")
MAX_ENGINES = 6  # languages kept loaded per process (each ~15-40 MB)
PSM_AUTO = 3

_lib = None
_lib_tried = False
_engines: OrderedDict = OrderedDict()  # lang -> _Engine
_engines_pid = os.getpid()
_lock = threading.Lock()


class OcrTimeout(RuntimeError):
    """The page was not read within the deadline (like pytesseract's timeout)."""


class _Closed(RuntimeError):
    """The engine was evicted between lookup and use: look it up again."""


def _load():
    global _lib, _lib_tried
    if _lib_tried:
        return _lib
    _lib_tried = True
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # read by libgomp when it loads
    for name in LIB_NAMES:
        path = name if name.startswith("lib") else ctypes.util.find_library(name)
        if not path:
            continue
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        vp, cp, i = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int
        for fn, res, args in (
            ("TessBaseAPICreate", vp, []),
            ("TessBaseAPIDelete", None, [vp]),
            ("TessBaseAPIInit3", i, [vp, cp, cp]),
            ("TessBaseAPISetPageSegMode", None, [vp, i]),
            ("TessBaseAPISetImage", None, [vp, ctypes.c_void_p, i, i, i, i]),
            ("TessBaseAPIRecognize", i, [vp, vp]),
            ("TessBaseAPIGetTsvText", vp, [vp, i]),
            ("TessDeleteText", None, [vp]),
            ("TessBaseAPIClear", None, [vp]),
            ("TessBaseAPISetVariable", i, [vp, cp, cp]),
            ("TessMonitorCreate", vp, []),
            ("TessMonitorDelete", None, [vp]),
            ("TessMonitorSetDeadlineMSecs", None, [vp, i]),
        ):
            try:
                f = getattr(lib, fn)
            except AttributeError:
                break
            f.restype, f.argtypes = res, args
        else:
            _lib = lib
            return _lib
    return None


def library_version() -> str | None:
    """libtesseract's version string, or None when the library is not loaded."""
    lib = _load()
    if lib is None or not hasattr(lib, "TessVersion"):
        return None
    lib.TessVersion.restype = ctypes.c_char_p
    return lib.TessVersion().decode(errors="replace")


def available() -> bool:
    """Can this process use the resident engine? (CLAIMFLOW_OCR_ENGINE=cli turns it off.)"""
    return os.environ.get("CLAIMFLOW_OCR_ENGINE", "").lower() != "cli" and _load() is not None


class _Engine:
    def __init__(self, lib, lang: str):
        self.lib, self.lang = lib, lang
        self.handle = lib.TessBaseAPICreate()
        if lib.TessBaseAPIInit3(self.handle, None, lang.encode()) != 0:
            lib.TessBaseAPIDelete(self.handle)
            self.handle = None
            raise RuntimeError(f"tesseract could not load the language models '{lang}'")
        # the library's notes ("Estimating resolution as ...") go where the command's stderr went
        lib.TessBaseAPISetVariable(self.handle, b"debug_file", os.devnull.encode())
        self.lock = threading.Lock()

    def tsv(self, gray: np.ndarray, psm: int, timeout_s: float) -> str:
        img = np.ascontiguousarray(gray, dtype=np.uint8)
        h, w = img.shape
        lib = self.lib
        with self.lock:
            if self.handle is None:
                raise _Closed(self.lang)
            lib.TessBaseAPISetPageSegMode(self.handle, psm)
            lib.TessBaseAPISetImage(self.handle, img.ctypes.data, w, h, 1, img.strides[0])
            monitor = lib.TessMonitorCreate()
            try:
                lib.TessMonitorSetDeadlineMSecs(monitor, int(timeout_s * 1000))
                if lib.TessBaseAPIRecognize(self.handle, monitor) != 0:
                    raise OcrTimeout(f"tesseract did not finish within {timeout_s:g} s")
                ptr = lib.TessBaseAPIGetTsvText(self.handle, 0)
                try:
                    return ctypes.string_at(ptr).decode("utf-8", "replace") if ptr else ""
                finally:
                    if ptr:
                        lib.TessDeleteText(ptr)
            finally:
                lib.TessMonitorDelete(monitor)
                lib.TessBaseAPIClear(self.handle)

    def close(self) -> None:
        if self.handle:
            with self.lock:
                self.lib.TessBaseAPIDelete(self.handle)
                self.handle = None


def _engine(lang: str) -> _Engine:
    global _engines_pid
    lib = _load()
    if lib is None:
        raise RuntimeError("libtesseract is not available")
    with _lock:
        if _engines_pid != os.getpid():  # a forked child: never share the parent's engines
            _engines.clear()
            _engines_pid = os.getpid()
        eng = _engines.get(lang)
        if eng is None:
            eng = _engines[lang] = _Engine(lib, lang)
            while len(_engines) > MAX_ENGINES:
                _engines.popitem(last=False)[1].close()
        else:
            _engines.move_to_end(lang)
        return eng


def image_to_tsv(gray: np.ndarray, lang: str, psm: int = PSM_AUTO, timeout_s: float = 120) -> str:
    """Tesseract's TSV output (as `tesseract img out -l lang --psm N tsv` writes it) for a
    grey uint8 image."""
    for _ in range(3):
        try:
            return _engine(lang).tsv(gray, psm, timeout_s)
        except _Closed:
            continue
    raise RuntimeError(f"tesseract engine for '{lang}' kept being evicted")


@atexit.register
def close_all() -> None:
    """Free every engine (at exit, so the library does not report its caches as leaks)."""
    with _lock:
        while _engines:
            _engines.popitem()[1].close()


def loaded_languages() -> list[str]:
    return list(_engines)
