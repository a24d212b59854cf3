"""One document, end to end: store the original, read, extract, classify, convert, evaluate, route.

`process_bytes` is plain Python; the Prefect flows and the CLI call it.
"""
from __future__ import annotations

import hashlib
import json
import logging
import time
import traceback
from functools import lru_cache
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from extractors.types import Extraction, ExtractionError
from pipeline import PIPELINE_VERSION
from pipeline.result import CONF_KEYS, empty_fields, failed, money, overall
from pipeline.routing import RoutingConfig, in_audit_sample, low_confidence_reasons, priority
from pipeline.store import Claim, Document, Original, Result, ReviewItem, utcnow

log = logging.getLogger("claimflow")

# Classifier notes that say its guess is weak: each becomes a review reason `classifier:<note>`.
WEAK_GUESS_NOTES = {"empty_text", "unknown_script", "mixed_treatments", "country_from_currency_only",
                    "inpatient_without_stay"}
MAX_BYTES = 50 * 1024 * 1024  # bigger files fail with `too_large`
MAX_STORED_BYTES = 200 * 1024 * 1024  # originals above this are hashed and recorded, not copied


@dataclass
class Insured:
    """The insured person given with --insured-file, or the error that file had."""

    person: Any = None  # coverage.insured.InsuredPerson
    error_field: str | None = None
    error_message: str | None = None

    @property
    def insured_id(self) -> str:
        return getattr(self.person, "insured_id", "") or ""

    def fingerprint(self) -> str:
        raw = getattr(self.person, "raw", None) or {"error": self.error_field}
        return hashlib.sha256(json.dumps(raw, sort_keys=True, default=str).encode()).hexdigest()[:16]


def sniff_kind(data: bytes) -> str | None:
    try:
        from extractors.sniff import sniff

        return sniff(data)
    except Exception:  # an unknown type is reported by read_pages, not here
        return None


def store_original(session: Session, data: bytes, digest: str, size: int | None = None) -> None:
    """Keep the original's bytes (content-addressed; an original already kept is left as it is).
    Core statements on the session's connection: the bulk path writes thousands per minute."""
    session.flush()  # rows added to this session before go first
    conn = session.connection()
    q = statements()
    if conn.execute(q.original_known, {"doc": digest}).first() is None:
        size = len(data) if size is None else size
        kept = data if size <= MAX_STORED_BYTES else b""
        conn.execute(q.insert_original, {"sha256": digest, "size": size, "data": kept,
                                         "created_at": utcnow(),
                                         "kind": sniff_kind(data[:4096]) if data else None})


def original_bytes(session: Session, digest: str) -> bytes:
    """A kept original's bytes; LookupError when the store has none, or only its hash and size
    (an original too big to keep)."""
    row = session.connection().execute(statements().original_data, {"doc": digest}).first()
    if row is None or (not row.data and row.size):
        raise LookupError(f"the original of document {digest} is not in the store")
    return row.data


@lru_cache(maxsize=1)
def statements() -> SimpleNamespace:
    """The statements written for every document, built once and run with parameters: building
    and keying a Core statement costs ~150-220 us, running a built one ~35 us (SQLite), and a
    document takes 10-12 of them in a bulk run."""
    D, R, C, RI, O = (m.__table__ for m in (Document, Result, Claim, ReviewItem, Original))
    doc = bindparam("doc")
    return SimpleNamespace(
        original_known=select(O.c.sha256).where(O.c.sha256 == doc),
        original_data=select(O.c.data, O.c.size).where(O.c.sha256 == doc),
        insert_original=insert(O),
        known=select(D.c.insured_id, D.c.current_result_id, R.c.payload)
        .select_from(D.outerjoin(R, R.c.id == D.c.current_result_id)).where(D.c.id == doc),
        insert_document=insert(D), insert_result=insert(R), insert_claim=insert(C),
        insert_review=insert(RI),
        update_document=update(D).where(D.c.id == doc),  # SET: the other parameters
        claim_known=select(C.c.id).where(C.c.document_id == doc, C.c.insured_id == bindparam("ins")),
        supersede=update(RI).where(RI.c.document_id == doc, RI.c.state.in_(("open", "claimed")))
        .values(state="superseded"),
    )


# --- the stages ----------------------------------------------------------------------------


def read_and_extract(data: bytes) -> tuple[Extraction, list]:
    from extractors.fields import extract_fields
    from extractors.pages import read_pages

    if len(data) > MAX_BYTES:
        raise ExtractionError("too_large", f"file is {len(data) / 1e6:.1f} MB; the limit is "
                                           f"{MAX_BYTES / 1e6:.0f} MB")
    t = time.perf_counter()
    try:
        pages = read_pages(data, max_bytes=MAX_BYTES)
    finally:
        read_clock[0] += time.perf_counter() - t
    return extract_fields(pages), pages


# Seconds this process spent in read_pages: bulk workers report the pipeline's overhead over the
# raw reading of the same documents, measured at the same moments (bench/throughput.py).
read_clock = [0.0]


def classify(ext: Extraction):
    from models.classify import get_classifier

    return get_classifier().classify(*classifier_input(ext))


def classifier_input(ext: Extraction) -> tuple:
    items = [(li.description, li.amount) for li in ext.line_items]
    return ext.text, items, ext.country_hints, ext.currency.value


def model_version() -> str | None:
    try:
        from models.classify import get_classifier

        return get_classifier().model_version
    except Exception:
        return None


@lru_cache(maxsize=1)
def rules_version() -> str:
    """Versions and digest of the policy tables; a malformed table raises (a start-up error)."""
    from coverage.tables import rules_version as rv

    return rv()


ITEMS_DOUBT_CAP = 0.5  # treatment-type confidence when the line items do not add up


def build_fields(ext: Extraction, cls) -> tuple[dict, dict, dict]:
    """The contract's fields and confidences, and the source boxes of each field."""
    fields = empty_fields()
    conf = {k: 0.0 for k in CONF_KEYS}
    boxes: dict[str, list] = {}
    for name in ("invoice_date", "invoice_number", "provider_name", "patient_name", "currency",
                 "total_amount"):
        fv = getattr(ext, name)
        if fv.value is None:
            continue
        value = fv.value
        if name == "invoice_date":
            value = value.isoformat()
        elif name == "total_amount":
            value = money(value)
        fields[name] = value
        conf[name] = round(float(fv.confidence), 4)
        boxes[name] = fv.boxes
    line_types = list(getattr(cls, "line_types", None) or [])
    for i, li in enumerate(ext.line_items):
        ltype = line_types[i][0] if i < len(line_types) else None
        fields["line_items"].append({"description": li.description, "amount": money(li.amount),
                                     "treatment_type": ltype})
        boxes[f"line_items.{i}"] = li.boxes
    if cls is not None:
        for name, value, c in (("treatment_type", cls.treatment_type, cls.treatment_conf),
                               ("setting", cls.setting, cls.setting_conf),
                               ("country", cls.country, cls.country_conf)):
            if value is not None:
                fields[name] = value
                conf[name] = round(float(c), 4)
        if fields["treatment_type"] and ext.line_items and "line_items_mismatch" in ext.review_reasons:
            # the type is read from the largest line: lines that do not add up put it in doubt
            conf["treatment_type"] = min(conf["treatment_type"], ITEMS_DOUBT_CAP)
    if fields["country"] is None and ext.country.value is not None:
        fields["country"] = ext.country.value
        conf["country"] = round(float(ext.country.confidence), 4)
    boxes["country"] = ext.country.boxes
    return fields, conf, boxes


def convert_eur(session: Session, fields: dict) -> tuple[Any, list[str]]:
    """(Conversion or None, review reasons)."""
    from pipeline.fx import NoRate, convert

    if fields["total_amount"] is None or fields["currency"] is None or fields["invoice_date"] is None:
        return None, ["no_eur:missing_" + next(k for k in ("total_amount", "currency", "invoice_date")
                                               if fields[k] is None)]
    try:
        conv = convert(session, Decimal(fields["total_amount"]), fields["currency"],
                       date.fromisoformat(fields["invoice_date"]))
    except NoRate as e:
        return None, [e.reason]
    return conv, []


def evaluate_coverage(session: Session, insured: Insured, fields: dict, conv, document_id: str):
    from pipeline.coverage_service import evaluate_claim

    return evaluate_claim(session, insured.person, fields, conv, document_id)


# --- the whole document --------------------------------------------------------------------


def analyse(session: Session, data: bytes, document_id: str, source: str,
            insured: Insured | None, cfg: RoutingConfig,
            reading: tuple[Extraction, list] | None = None) -> tuple[dict, dict]:
    """Run every stage; returns (contract result, evidence). Failures become `failed` results.
    `reading`: the document's stored reading by this reader (see stored_reading), used instead
    of reading `data` again."""
    extracted = reading or extract_stage(data, document_id, source)
    if isinstance(extracted, dict):
        return extracted, {}
    ext, pages = extracted
    return decide(session, ext, pages, classify_stage(ext, source), document_id, source, insured, cfg)


# The three parts of `analyse`, also run as separate Prefect tasks by pipeline/flows.py.


def extract_stage(data: bytes, document_id: str, source: str) -> tuple[Extraction, list] | dict:
    """(extraction, pages), or the `failed` result when the file cannot be read."""
    try:
        return read_and_extract(data)
    except ExtractionError as e:
        return failed(document_id, source, e.code, e.message)
    except Exception as e:  # a bug must not stop the batch: record it and go on
        log.error("internal error on %s:\n%s", source, traceback.format_exc())
        return failed(document_id, source, "internal_error", f"{type(e).__name__}: {e}")


def classify_stage(ext: Extraction, source: str) -> tuple[Any, list[str]]:
    """(classification or None, the review reasons it raised)."""
    try:
        return _classified(classify(ext))
    except Exception as e:
        log.error("classifier failed on %s: %s", source, e)
        return None, ["classifier_unavailable"]


def classify_stages(exts: list[Extraction], sources: list[str]) -> list[tuple[Any, list[str]]]:
    """classify_stage of each extraction, the group in one classifier call (bulk workers); one
    by one if that call fails, so one document's failure is that document's alone."""
    try:
        from models.classify import get_classifier

        return [_classified(c) for c in get_classifier().classify_many(
            [classifier_input(e) for e in exts])]
    except Exception as e:
        log.warning("classifying %d documents together failed (%s); one by one", len(exts), e)
        return [classify_stage(e, s) for e, s in zip(exts, sources)]


def _classified(cls) -> tuple[Any, list[str]]:
    return cls, [f"classifier:{n}" for n in getattr(cls, "notes", []) if n in WEAK_GUESS_NOTES]


def decide(session: Session, ext: Extraction, pages: list, classified: tuple[Any, list[str]],
           document_id: str, source: str, insured: Insured | None,
           cfg: RoutingConfig) -> tuple[dict, dict]:
    """Convert, evaluate and route an extracted, classified document."""
    cls, cls_reasons = classified
    reasons: list[str] = list(ext.review_reasons) + cls_reasons
    fields, conf, boxes = build_fields(ext, cls)
    conf["overall"] = overall(conf)
    reasons += low_confidence_reasons(conf, cfg)

    if insured is not None and insured.person is not None:
        from pipeline.usage import lock

        # Lock the insured person before any read: on SQLite a transaction that has read cannot
        # start writing after another writer committed; on PostgreSQL this serialises usage.
        lock(session, insured.insured_id, insured.person.raw)
    conv, fx_reasons = convert_eur(session, fields)
    reasons += fx_reasons
    coverage = None
    if insured is not None:
        if insured.error_field:
            reasons.append(f"invalid_insured_file:{insured.error_field}")
        else:
            coverage = evaluate_coverage(session, insured, fields, conv, document_id)
            # a question for a reviewer routes the document; a clear rule with its article does not
            questions = [f"coverage:{r['code']}" for r in coverage["reasons"] if r.get("needs_review")]
            if coverage["decision"] == "pending_information" and not questions:
                questions = ["coverage:pending_information"]
            reasons += questions
    if not reasons and in_audit_sample(document_id, cfg):
        reasons.append("audit_sample")
    reasons = list(dict.fromkeys(reasons))
    result = {
        "document_id": document_id,
        "source": source,
        "status": "needs_review" if reasons else "auto_processed",
        "error": None,
        "review_reasons": reasons,
        "fields": fields,
        "confidence": conf,
        "eur": conv.as_contract() if conv is not None else None,
        "coverage": coverage,
    }
    evidence = {"boxes": boxes, "pages": [{"width": p.width, "height": p.height, "source": p.source,
                                           "rotation": p.rotation} for p in pages],
                "reading": reading_of(ext)}
    return result, evidence


def reading_of(ext: Extraction) -> dict:
    """What a later reprocess needs to skip reading the document again, with the reader's version."""
    from extractors.reading import reader_version, to_json

    return {"reader": reader_version(), "extraction": to_json(ext)}


def stored_reading(evidence: dict | None) -> tuple[Extraction, list] | None:
    """(extraction, page sizes) kept with a result, if this same reader made them; else None."""
    from extractors.reading import from_json, page_sizes, reader_version

    kept = (evidence or {}).get("reading")
    if not kept or kept.get("reader") != reader_version():
        return None
    try:
        return from_json(kept["extraction"]), page_sizes(evidence["pages"])
    except (KeyError, TypeError, ValueError, ArithmeticError) as e:  # read again, never guess
        log.warning("stored reading not usable (%s: %s); reading the document again",
                    type(e).__name__, e)
        return None


def diff(before: dict | None, after: dict) -> dict | None:
    """What changed between two results of one document (decision, amounts, status, fields)."""
    if before is None:
        return None
    out = {}
    pairs = {
        "status": (before.get("status"), after.get("status")),
        "decision": ((before.get("coverage") or {}).get("decision"),
                     (after.get("coverage") or {}).get("decision")),
        "reimbursed_eur": ((before.get("coverage") or {}).get("reimbursed_eur"),
                           (after.get("coverage") or {}).get("reimbursed_eur")),
        "eur_amount": ((before.get("eur") or {}).get("amount"), (after.get("eur") or {}).get("amount")),
    }
    for key in ("invoice_date", "total_amount", "currency", "country", "treatment_type", "setting"):
        pairs[key] = (before["fields"].get(key), after["fields"].get(key))
    for key, (a, b) in pairs.items():
        if a != b:
            out[key] = {"before": a, "after": b}
    return out


@dataclass
class Saved:
    """The history row `save` wrote: its id and what changed against the previous result."""

    id: int
    changes: dict | None


def save(session: Session, result: dict, evidence: dict, insured: Insured | None,
         versions: dict) -> Saved:
    """Record a result: history row, current pointer, one claim, and the review queue entry.
    Core statements on the session's connection, in its transaction (after flushing what the
    session holds, e.g. usage rows): 5-7 statements, a third of the ORM's time per document."""
    session.flush()
    conn = session.connection()
    q = statements()
    doc_id, status, now = result["document_id"], result["status"], utcnow()
    insured_id = insured.insured_id if insured else ""
    known = conn.execute(q.known, {"doc": doc_id}).first()
    new = known is None  # a new document has no claim or review item yet (foreign keys)
    changes = diff(known.payload if known is not None and known.current_result_id is not None
                   else None, result)
    if new:
        conn.execute(q.insert_document, {"id": doc_id, "source": result["source"], "status": status,
                                         "insured_id": insured_id or None, "created_at": now,
                                         "updated_at": now})
    row_id = conn.execute(q.insert_result, {"document_id": doc_id, "status": status,
                                            "payload": result, "evidence": evidence,
                                            "changes": changes, "created_at": now, **versions}
                          ).inserted_primary_key[0]
    values = {"doc": doc_id, "status": status, "current_result_id": row_id, "updated_at": now}
    if insured_id and (new or not known.insured_id):
        values["insured_id"] = insured_id
    conn.execute(q.update_document, values)
    if new or conn.execute(q.claim_known, {"doc": doc_id, "ins": insured_id}).first() is None:
        conn.execute(q.insert_claim, {"document_id": doc_id, "insured_id": insured_id,
                                      "created_at": now})
    if not new:
        conn.execute(q.supersede, {"doc": doc_id})
    if status == "needs_review":
        reasons = result["review_reasons"]
        eur = (result.get("eur") or {}).get("amount")
        conn.execute(q.insert_review, {
            "document_id": doc_id, "result_id": row_id, "reasons": reasons, "state": "open",
            "audit_sample": "audit_sample" in reasons, "created_at": now,
            "priority": priority(eur, reasons, result["confidence"].get("overall", 0.0))})
    return Saved(row_id, changes)


def current_versions(insured: Insured | None) -> dict:
    rules = rules_version()
    if insured is not None:
        rules = f"{rules}+insured:{insured.fingerprint()}"
    return {"pipeline_version": PIPELINE_VERSION, "model_version": model_version(),
            "rules_version": rules}


def previous(sessions: sessionmaker[Session], document_id: str, versions: dict, source: str,
             force: bool = False, reread: bool = False
             ) -> tuple[dict | None, tuple[Extraction, list] | None]:
    """What the document's current result offers: (that result if it was made with exactly
    these versions, else None; its reading if it will be processed again (not up to date, or
    `force`), this same reader made it and not `reread`, else None)."""
    with sessions() as session:
        doc = session.get(Document, document_id)
        if doc is None or doc.current_result_id is None:
            return None, None
        row = session.get(Result, doc.current_result_id)
        stored = up_to_date(row, versions, source)
        if (stored is not None and not force) or reread:
            return stored, None
        return stored, stored_reading(row.evidence)


def up_to_date(row: Result | None, versions: dict, source: str) -> dict | None:
    """The result in `row` (as seen from `source`) if it was made with exactly these versions.
    `row`: a Result, or a row of its version and payload columns (bulk.stored_document)."""
    if row is not None and all(getattr(row, k) == v for k, v in versions.items()):
        return {**row.payload, "source": source}
    return None


def process_bytes(data: bytes, source: str, sessions: sessionmaker[Session],
                  insured: Insured | None = None, *, force: bool = False, reread: bool = False,
                  cfg: RoutingConfig | None = None, stats: dict | None = None) -> dict:
    """Process one document and return the contract's result.

    Bytes already processed with the same pipeline, model and rules versions (and insured file)
    return their stored result unless `force`; either way no second claim is created.
    Processed again, a document whose current result kept a reading by this same reader starts
    from it (no parsing or OCR) unless `reread`; counted in stats["reused"].
    """
    cfg = cfg or RoutingConfig.load()
    document_id = hashlib.sha256(data).hexdigest()
    versions = current_versions(insured)
    with sessions.begin() as session:
        store_original(session, data, document_id)
    stored, reading = previous(sessions, document_id, versions, source, force, reread)
    if stored is not None and not force:
        return stored
    with sessions.begin() as session:
        result, evidence = analyse(session, data, document_id, source, insured, cfg, reading)
        save(session, result, evidence, insured, versions)
    if reading is not None and stats is not None:
        stats["reused"] = stats.get("reused", 0) + 1
    return result


def process_file(path: str, sessions: sessionmaker[Session], insured: Insured | None = None,
                 **kw) -> dict:
    """Read a file from disk (size checked before reading) and process it."""
    import os

    try:
        size = os.path.getsize(path)
    except FileNotFoundError:
        return failed(None, path, "file_not_found", f"no such file: {path}")
    except OSError as e:
        return failed(None, path, "unreadable_file", f"cannot open {path}: {e.strerror}")
    if size > MAX_BYTES:
        return record_too_large(path, size, sessions, insured)
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as e:
        return failed(None, path, "unreadable_file", f"cannot read {path}: {e.strerror}")
    return process_bytes(data, path, sessions, insured, **kw)


def record_too_large(path: str, size: int, sessions, insured) -> dict:
    """A file over MAX_BYTES: recorded as `too_large` with its original (read once; hashed in
    chunks and not copied above MAX_STORED_BYTES)."""
    with open(path, "rb") as fh:
        if size <= MAX_STORED_BYTES:
            data = fh.read()
            doc_id = hashlib.sha256(data).hexdigest()
        else:
            data, digest = b"", hashlib.sha256()
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
            doc_id = digest.hexdigest()
    result = failed(doc_id, path, "too_large",
                    f"file is {size / 1e6:.1f} MB; the limit is {MAX_BYTES / 1e6:.0f} MB")
    with sessions.begin() as session:
        store_original(session, data, doc_id, size=size)
        save(session, result, {}, insured, current_versions(insured))
    return result

