"""Treatment type, care setting and country of one invoice, with calibrated confidences."""
from __future__ import annotations

import copy
import hashlib
import json
import math
import threading
import warnings
from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
from transformers import PreTrainedTokenizerFast

from models.net import ClaimNet
from models.rules import known_script_share, stay

WEIGHTS = Path(__file__).resolve().parent / "weights"
MAX_DOC, MAX_LINE = 128, 32  # document tokens: the header and first lines; 256 was slower and no more accurate
DOC_WEIGHT = 0.5  # weight of the document-level prediction next to the largest line
HINT_WEIGHT = 1.0  # country_hints are log-odds-like evidence scores
# currencies used by one country only; EUR, USD and other shared ones never point to a country
CURRENCY_COUNTRY = {"THB": "TH", "CHF": "CH", "GBP": "GB", "AED": "AE", "SGD": "SG", "MYR": "MY", "IDR": "ID",
                    "MXN": "MX", "BRL": "BR", "JPY": "JP", "INR": "IN", "PHP": "PH", "VND": "VN", "TRY": "TR"}
CURRENCY_WEIGHT = 0.7
COUNTRY_SMOOTH = 0.3  # text without country cues must not outvote strong hints
ANCILLARY = {"laboratory", "medication", "other", "hospital_admission", "specialist"}
MIXED_CAP, UNKNOWN_CAP = 0.5, 0.15
# inpatient with no admission/discharge dates and no nights count: nothing on the invoice shows a
# stay (held-out corpus: 2 of 17 such confident calls were day cases), so a reviewer checks it
STAY_CAP = 0.5
# the document pass keeps its first MAX_DOC tokens, ~460 characters on average (at most 640 in the
# throughput bench): it tokenizes a head of the text first and the whole text only if that falls short
HEAD_CHARS = 800
LINE_CACHE = 4096  # line descriptions remembered (providers repeat them across a backlog)


# what turns the weights' outputs into labels and confidences: a change to any of them changes
# results, so it changes the model version (and `reprocess --query "model_version != current"`)
INFERENCE_CODE = ("classify.py", "net.py", "rules.py")


def version_of(path: Path) -> str:
    """claimnet-<weights digest>-<digest of the other weight files and the inference code>."""
    weights = hashlib.sha256((path / "model.safetensors").read_bytes()).hexdigest()
    rest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for f in sorted(p for p in path.iterdir() if p.is_file() and p.name != "model.safetensors"):
        rest.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
    for name in INFERENCE_CODE:
        rest.update(name.encode() + b"\0" + (here / name).read_bytes() + b"\0")
    return f"claimnet-{weights[:12]}-{rest.hexdigest()[:8]}"


@dataclass
class Classification:
    treatment_type: str | None
    treatment_conf: float
    setting: str | None
    setting_conf: float
    country: str | None
    country_conf: float
    line_types: list[tuple[str | None, float]]
    model_version: str
    notes: list[str] = field(default_factory=list)


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _amount(v) -> Decimal:
    try:
        return Decimal(str(v)) if v is not None else Decimal("0")
    except (InvalidOperation, ValueError):
        return Decimal("0")


class Classifier:
    def __init__(self, path: Path = WEIGHTS, calibrated: bool = True, compiled: bool = True):
        path = Path(path)
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # no "Loading weights" bars on every worker's stderr
        self.tok = PreTrainedTokenizerFast.from_pretrained(path, local_files_only=True)
        self.model = ClaimNet.from_pretrained(path, local_files_only=True).eval()
        self.forward = _compiled(self.model) if compiled else self.model
        cfg = self.model.config
        self.types, self.settings, self.countries = cfg.type_labels, cfg.setting_labels, cfg.country_labels
        self.model_version = version_of(path)
        cal_file = path / "calibration.json"
        self.cal = json.loads(cal_file.read_text()) if calibrated and cal_file.exists() else {}
        self.unk_id = self.tok.unk_token_id
        self._backends: dict = {}
        self._lock = threading.Lock()
        self._lines: OrderedDict[str, tuple[np.ndarray, float]] = OrderedDict()  # text -> (logits, unk)
        # weight of the model's country log-probability next to country_hints (fitted in calibrate.py)
        self.country_weight = float(self.cal.get("country_model_weight", 1.0))

    # ---- raw model outputs ----
    def _run(self, texts: list[str], max_len: int):
        return self._forward(*self._encode(texts, max_len))

    def _forward(self, ids: torch.Tensor, mask: torch.Tensor):
        with torch.inference_mode():
            t, s, c = self.forward(ids, mask)
        real = mask.sum(1) - 2
        unk = ((ids == self.unk_id).sum(1).float() / real.clamp(min=1)).numpy()
        return t.numpy(), s.numpy(), c.numpy(), unk

    def _line_logits(self, texts: list[str]) -> list[tuple[np.ndarray, float]]:
        """Type logits and unknown-token share of each line text: the model runs once per text
        not seen recently (least recently used first out), in one batch."""
        cache = self._lines
        with self._lock:  # the upload API may classify from several threads
            new = [t for t in dict.fromkeys(texts) if t not in cache]
            if new:
                t, _, _, unk = self._run(new, MAX_LINE)
                for k, text in enumerate(new):
                    cache[text] = (t[k].copy(), float(unk[k]))
            out = []
            for text in texts:
                cache.move_to_end(text)
                out.append(cache[text])
            while len(cache) > LINE_CACHE:
                cache.popitem(last=False)
            return out

    def _backend(self, max_len: int, padded: bool = True):
        """The Rust tokenizer, truncating to `max_len` tokens (and padding to the longest)."""
        backend = self._backends.get((max_len, padded))
        if backend is None:
            backend = copy.deepcopy(self.tok.backend_tokenizer)
            backend.enable_truncation(max_len)
            if padded:
                backend.enable_padding(pad_id=self.tok.pad_token_id, pad_token=self.tok.pad_token)
            else:
                backend.no_padding()
            self._backends[(max_len, padded)] = backend
        return backend

    def _encode(self, texts: list[str], max_len: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Token ids and attention mask, as the transformers tokenizer call gives them (truncated,
        padded to the longest), from the Rust tokenizer directly: a third of the wrapper's time."""
        encs = self._backend(max_len).encode_batch(texts)
        ids = torch.tensor([e.ids for e in encs], dtype=torch.long)
        mask = torch.tensor([e.attention_mask for e in encs], dtype=torch.long)
        return ids, mask

    def _encode_docs(self, texts: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
        """`_encode(texts, MAX_DOC)`, each from a head of its text cut at a space when that head
        fills MAX_DOC tokens: no token spans a space and the normalizer works per character, so
        the first tokens are those of the whole text."""
        heads, cut = [], []
        for text in texts:
            at = max(text.rfind(" ", 0, HEAD_CHARS), text.rfind("\n", 0, HEAD_CHARS)) \
                if len(text) > HEAD_CHARS else -1
            heads.append(text[:at] if at > 0 else text)
            cut.append(at > 0)
        backend = self._backend(MAX_DOC, padded=False)
        encs = backend.encode_batch(heads)
        short = [k for k, e in enumerate(encs) if cut[k] and len(e.ids) < MAX_DOC]
        for k, e in zip(short, backend.encode_batch([texts[k] for k in short]) if short else []):
            encs[k] = e
        width = max(len(e.ids) for e in encs)
        pad = self.tok.pad_token_id
        ids = torch.tensor([e.ids + [pad] * (width - len(e.ids)) for e in encs], dtype=torch.long)
        mask = torch.tensor([[1] * len(e.ids) + [0] * (width - len(e.ids)) for e in encs],
                            dtype=torch.long)
        return ids, mask

    def _temp(self, name: str) -> float:
        return float(self.cal.get("temperature", {}).get(name, 1.0))

    def _iso(self, name: str, p: float) -> float:
        iso = self.cal.get("isotonic", {}).get(name)
        if not iso:
            return float(p)
        return float(np.interp(p, iso["x"], iso["y"]))

    # ---- decision ----
    def classify(self, text: str, line_items: list[tuple[str, Decimal]], country_hints: dict[str, float],
                 currency: str | None) -> Classification:
        return self.classify_many([(text, line_items, country_hints, currency)])[0]

    def classify_many(self, docs: list[tuple[str, list, dict, str | None]]) -> list[Classification]:
        """`classify` of each (text, line_items, country_hints, currency), with one model call for
        all document passes and one for all new line descriptions: a bulk worker classifies its
        documents in groups (~1.5 ms less per text PDF than one by one: the per-call cost and the
        model's weights fetched into the CPU's caches once per group, not once per document).
        Scores agree with one-by-one calls to ~1e-6 (padding to the group's longest text)."""
        prepared = []
        for text, line_items, _, _ in docs:
            text = text or ""
            items = [(str(d or "").strip(), _amount(a)) for d, a in (line_items or [])]
            has_text = len(text.strip()) >= 3 and any(ch.isalnum() for ch in text)
            todo = [i for i, (d, _) in enumerate(items) if len(d) >= 2 and any(ch.isalpha() for ch in d)]
            prepared.append((text, items, has_text, todo))
        with_text = [k for k, p in enumerate(prepared) if p[2]]
        doc_out: dict[int, tuple] = {}
        if with_text:
            t, s, c, unk = self._forward(*self._encode_docs([prepared[k][0] for k in with_text]))
            doc_out = {k: ((t[n], s[n], c[n]), unk[n]) for n, k in enumerate(with_text)}
        lines = [items[i][0] for _, items, _, todo in prepared for i in todo]
        got_all = iter(self._line_logits(lines) if lines else [])
        out = []
        for k, ((text, items, has_text, todo), (_, _, hints, currency)) in enumerate(zip(prepared, docs)):
            got = [next(got_all) for _ in todo]
            out.append(self._decide(text, items, has_text, todo, got, doc_out.get(k), hints, currency))
        return out

    def _decide(self, text, items, has_text, todo, got, doc_out, country_hints, currency) -> Classification:
        notes: list[str] = []
        unknown = has_text and known_script_share(text) < 0.5
        doc = None
        if doc_out is not None:
            doc, unk = doc_out
            unknown = unknown or unk > 0.3
        else:
            notes.append("empty_text")
        if unknown:
            notes.append("unknown_script")

        # per line
        line_types: list[tuple[str | None, float]] = [(None, 0.0)] * len(items)
        line_probs: dict[int, np.ndarray] = {}
        if todo:
            probs = _softmax(np.stack([g[0] for g in got]) / self._temp("line"))
            for k, i in enumerate(todo):
                p = probs[k]
                j = int(p.argmax())
                conf = self._iso("line", float(p[j]))
                if got[k][1] > 0.3 or known_script_share(items[i][0]) < 0.5:
                    conf = min(conf, UNKNOWN_CAP)
                line_probs[i] = p
                line_types[i] = (self.types[j], round(conf, 4))

        ttype, tconf = self._treatment(doc, items, line_probs, line_types, notes)
        setting, sconf = self._setting(text, doc, notes)
        country, cconf = self._country(doc, country_hints or {}, currency, notes)
        if unknown:
            tconf, sconf = min(tconf, UNKNOWN_CAP), min(sconf, UNKNOWN_CAP)
            if not country_hints:
                cconf = min(cconf, UNKNOWN_CAP)
        return Classification(ttype, round(tconf, 4), setting, round(sconf, 4), country, round(cconf, 4),
                              line_types, self.model_version, notes)

    def _treatment(self, doc, items, line_probs, line_types, notes):
        pdoc = _softmax(doc[0] / self._temp("doc_type")) if doc is not None else None
        if line_probs:
            big = max(line_probs, key=lambda i: items[i][1])
            logp = np.log(line_probs[big] + 1e-9)
            if pdoc is not None:
                logp = logp + DOC_WEIGHT * np.log(pdoc + 1e-9)
            p = _softmax(logp)
            j = int(p.argmax())
            conf = self._iso("treatment", float(p[j]))
            if self._mixed(items, line_types, big):
                notes.append("mixed_treatments")
                conf = min(conf, MIXED_CAP)
            return self.types[j], conf
        if pdoc is None:
            return None, 0.0
        j = int(pdoc.argmax())
        return self.types[j], self._iso("treatment", float(pdoc[j]))

    @staticmethod
    def _mixed(items, line_types, big) -> bool:
        top_type, top_amt = line_types[big][0], items[big][1]
        for (label, conf), (_, amt) in zip(line_types, items):
            if label and label != top_type and label not in ANCILLARY and conf >= 0.8 and amt >= top_amt / 2:
                return True
        return False

    def _setting(self, text, doc, notes):
        nights, _src = stay(text) if text else (None, "")
        if doc is None and nights is None:
            return None, 0.0
        p = _softmax(doc[1] / self._temp("setting")) if doc is not None else np.full(3, 1 / 3)
        if nights is not None:
            rule = np.full(3, 0.01)
            rule[self.settings.index("inpatient" if nights >= 1 else "daycare")] = 0.98
            p = _softmax(np.log(rule) + 0.3 * np.log(p + 1e-9))
        j = int(p.argmax())
        conf = self._iso("setting", float(p[j]))
        if nights is None and self.settings[j] == "inpatient":
            notes.append("inpatient_without_stay")
            conf = min(conf, STAY_CAP)
        return self.settings[j], conf

    def _country(self, doc, hints, currency, notes):
        labels, score = self.country_scores(doc[2] if doc is not None else None, hints, currency)
        if doc is None and not hints:
            cur_country = CURRENCY_COUNTRY.get((currency or "").upper())
            if cur_country:
                notes.append("country_from_currency_only")
                return cur_country, 0.3
            return None, 0.0
        p = _softmax(score)
        j = int(p.argmax())
        return labels[j], self._iso("country", float(p[j]))

    def country_scores(self, logits, hints, currency, weight: float | None = None):
        """Candidate countries and their scores: weighted model log-probability + hints + currency."""
        w = self.country_weight if weight is None else weight
        labels = list(self.countries) + sorted(set(hints) - set(self.countries))
        if logits is not None:
            p = _softmax(logits / self._temp("country"))
            logp = np.log((1 - COUNTRY_SMOOTH) * p + COUNTRY_SMOOTH / len(p))
            score = np.concatenate([w * logp, np.full(len(labels) - len(logp), w * math.log(1e-4))])
        else:
            score = np.zeros(len(labels))
        for code, v in hints.items():
            score[labels.index(code)] += HINT_WEIGHT * float(v)
        cur_country = CURRENCY_COUNTRY.get((currency or "").upper())
        if cur_country:
            if cur_country not in labels:
                labels.append(cur_country)
                score = np.append(score, w * math.log(1e-4) if logits is not None else 0.0)
            score[labels.index(cur_country)] += CURRENCY_WEIGHT
        return labels, score


def _compiled(model):
    """The model traced to TorchScript (about half the per-call time of eager transformers code).
    Traced on a padded batch so the attention-mask path is the general one; eager if tracing fails."""
    example = (torch.tensor([[2, 5, 6, 3], [2, 5, 3, 0]]), torch.tensor([[1, 1, 1, 1], [1, 1, 1, 0]]))
    try:
        from transformers.utils import logging as hf_logging

        level = hf_logging.get_verbosity()
        hf_logging.set_verbosity_error()  # tracing touches `loss_function`, which logs a config note
        try:
            with torch.inference_mode(False), torch.no_grad(), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return torch.jit.freeze(torch.jit.trace(model, example, check_trace=False).eval())
        finally:
            hf_logging.set_verbosity(level)
    except Exception:  # an unusual torch build: the eager model gives the same numbers, slower
        return model


@lru_cache(maxsize=1)
def get_classifier() -> Classifier:
    """The shipped classifier, loaded once from local files."""
    return Classifier()
