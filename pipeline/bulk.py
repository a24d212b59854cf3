"""Bulk reprocessing without Prefect: selections, checkpointed runs, claims, change summaries.

pipeline/flows.py runs `drain` as one Prefect task per worker, on local processes or Dask.
Exactly-once: an item is marked done by the same transaction that saves its result, and only if
it was not done yet, so a killed run resumes where it stopped and items that two workers both
reach (a retried task, a claim given back late) are saved once.
"""
from __future__ import annotations

import gc
import hashlib
import json
import logging
import os
import resource
import socket
import time
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.exc import (DBAPIError, DisconnectionError, IntegrityError, InterfaceError,
                            OperationalError)
from sqlalchemy.exc import TimeoutError as SATimeoutError
from sqlalchemy.orm import Session, sessionmaker

from pipeline import process as P
from pipeline.result import failed
from pipeline.store import Document, Insured as InsuredRow, Result, utcnow
from pipeline.store_bulk import BulkItem, BulkRun

log = logging.getLogger("claimflow.bulk")


@dataclass
class Selection:
    """What to reprocess: files/directories, document ids, or a store query (see bulk_query)."""

    paths: list[str] = field(default_factory=list)
    document_ids: list[str] = field(default_factory=list)
    query: str | None = None
    force: bool = True  # False: skip documents whose current result has the current versions
    insured_file: str | None = None
    reread: bool = False  # True: read every document again, even with a stored reading of this reader

    def fingerprint(self) -> str:
        data = asdict(self)
        if not self.reread:  # runs started before the option existed resume as before
            del data["reread"]
        data["paths"] = sorted(os.path.abspath(p) for p in self.paths)
        data["document_ids"] = sorted(self.document_ids)
        if self.insured_file:
            data["insured_file"] = os.path.abspath(self.insured_file)
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


class RunIncomplete(RuntimeError):
    """Some items could not be processed (e.g. the database stayed unreachable); resumable."""


# --- runs and items ---------------------------------------------------------------------------


def resolve(session: Session, sel: Selection) -> list[tuple[str, str]]:
    """[(kind, ref)] in processing order: the paths' files, then ids, then the query's documents."""
    from pipeline.bulk_query import select_documents
    from pipeline.cli import expand

    items = [("path", os.path.abspath(p)) for p in expand(sel.paths)]
    items += [("document", d) for d in sel.document_ids]
    if sel.query:
        current = P.current_versions(None)
        items += [("document", d) for d in select_documents(session, sel.query, current)]
    return items


def open_run(sessions: sessionmaker[Session], sel: Selection) -> tuple[int, bool]:
    """(run id, resumed): the unfinished run of this same selection, else a new frozen run."""
    fp = sel.fingerprint()
    with sessions.begin() as s:
        run = s.scalars(select(BulkRun).where(BulkRun.fingerprint == fp, BulkRun.state == "running")
                        .order_by(BulkRun.id.desc()).limit(1)).first()
        if run is not None:
            run.attempts += 1
            s.execute(update(BulkItem).where(BulkItem.run_id == run.id,
                                             BulkItem.state.in_(("error", "claimed")))
                      .values(state="pending", error=None))
            return run.id, True
        items = resolve(s, sel)
        run = BulkRun(fingerprint=fp, selection=asdict(sel), state="running", total=len(items))
        s.add(run)
        s.flush()
        if items:  # one executemany, not an ORM object per item: 100,000 items in ~1 s, not 6
            s.execute(insert(BulkItem), [{"run_id": run.id, "position": i, "kind": k, "ref": r,
                                          "state": "pending"} for i, (k, r) in enumerate(items)])
        return run.id, False


def load_rates(sessions: sessionmaker[Session]) -> int:
    """Load the bundled ECB history into a store that has none (rows inserted; 0 if present).
    Run before the workers start: otherwise the first worker to convert an amount loads it
    (~220,000 rows, ~1.2 s) holding the store's write lock, and on SQLite every other worker
    waits for it in the middle of its work."""
    from pipeline import fx_ecb

    return fx_ecb.load_bundled(sessions.kw["bind"])


def pending(sessions: sessionmaker[Session], run_id: int) -> list[int]:
    with sessions() as s:
        return list(s.scalars(select(BulkItem.id).where(BulkItem.run_id == run_id,
                                                        BulkItem.state == "pending")
                              .order_by(BulkItem.position)))


# Each worker runs one long task that claims a few pending items at a time (in order) until none
# is left: no per-batch Prefect task run (~35 ms of set-up in the worker and ~0.1 s before the
# next one started, measured with batches), and no worker waits while another finishes a long
# last batch. A claim is one short write transaction.
CLAIM_SECONDS = 0.5  # a claim holds about this much work, by the worker's own speed so far
MAX_CLAIM = 50  # items per claim at most
TAIL_SHARE = 4  # ... and at most 1/TAIL_SHARE of the items left per worker: a claim sized on
# quick text PDFs may hold slow scans, and the run's end must not wait on one worker's big claim


def claim_size(seconds_per_item: float | None, left: int | None = None, workers: int = 1) -> int:
    """Items for the next claim: 1 until the worker has timed a warm claim, then about
    CLAIM_SECONDS of its work (1..MAX_CLAIM), and no more than a 1/TAIL_SHARE share per worker
    of the `left` items."""
    if not seconds_per_item or seconds_per_item <= 0:
        return 1
    n = max(1, min(MAX_CLAIM, int(CLAIM_SECONDS / seconds_per_item)))
    if left is not None:
        n = min(n, max(1, left // (TAIL_SHARE * max(1, workers))))
    return n


def first_pending(run_id: int, n: int):
    """The ids of the run's first `n` pending items (read off ix_bulk_items_claim)."""
    return (select(BulkItem.id).where(BulkItem.run_id == run_id, BulkItem.state == "pending")
            .order_by(BulkItem.id).limit(n))


def claim(sessions: sessionmaker[Session], run_id: int, n: int) -> list[int]:
    """Take up to `n` pending items of the run, first ones first, for this worker. Atomic: SQLite
    runs one writing statement at a time; PostgreSQL locks the rows it picks and skips the rows
    another worker is picking (an UPDATE of `id IN (... LIMIT n)` can take more than n there)."""
    first = first_pending(run_id, n)
    mark = update(BulkItem).where(BulkItem.state == "pending").values(state="claimed", worker=WORKER)
    with sessions.begin() as s:
        if s.get_bind().dialect.name == "sqlite":
            ids = s.scalars(mark.where(BulkItem.id.in_(first.scalar_subquery()))
                            .returning(BulkItem.id)
                            .execution_options(synchronize_session=False)).all()
        else:
            ids = s.scalars(first.with_for_update(skip_locked=True)).all()
            if ids:
                s.execute(mark.where(BulkItem.id.in_(ids))
                          .execution_options(synchronize_session=False))
    return sorted(ids)


def release(sessions: sessionmaker[Session], run_id: int, ids: list[int] | None = None) -> int:
    """Claimed items back to pending: `ids` (a worker giving its claim back), or every claimed
    item of the run (when no worker runs: a worker that died kept its claim)."""
    q = update(BulkItem).where(BulkItem.run_id == run_id, BulkItem.state == "claimed")
    if ids is not None:
        q = q.where(BulkItem.id.in_(ids))
    with sessions.begin() as s:
        return s.execute(q.values(state="pending", worker=None)).rowcount


def _left(run_id: int):
    return select(func.count()).where(BulkItem.run_id == run_id,
                                      BulkItem.state.in_(("pending", "claimed")))


def left(sessions: sessionmaker[Session], run_id: int) -> int:
    """Items of the run not done yet (pending or claimed)."""
    with sessions() as s:
        return s.scalar(_left(run_id))


def counts(sessions: sessionmaker[Session], run_id: int) -> dict[str, int]:
    """done / error / pending items and result statuses so far."""
    out = {"total": 0, "done": 0, "error": 0, "pending": 0, "auto_processed": 0,
           "needs_review": 0, "failed": 0}
    with sessions() as s:
        for state, status, n in s.execute(
                select(BulkItem.state, BulkItem.status, func.count()).where(BulkItem.run_id == run_id)
                .group_by(BulkItem.state, BulkItem.status)):
            out["total"] += n
            state = "pending" if state == "claimed" else state  # being processed now
            out[state] = out.get(state, 0) + n
            if state == "done" and status:
                out[status] = out.get(status, 0) + n
    return out


def summary(sessions: sessionmaker[Session], run_id: int) -> dict[str, Any]:
    """Counts of the run and what changed against each document's previous result."""
    out: dict[str, Any] = counts(sessions, run_id)
    changed = {"decision": 0, "amount": 0, "status": 0, "fields": 0, "new": 0, "unchanged": 0}
    errors = []
    with sessions() as s:
        run = s.get(BulkRun, run_id)
        for item in s.scalars(select(BulkItem).where(BulkItem.run_id == run_id)):
            if item.state == "error":
                errors.append({"ref": item.ref, "error": item.error})
            if item.state != "done" or item.status is None:
                continue
            ch = item.changes
            if ch is None:
                changed["new"] += 1
                continue
            if not ch:
                changed["unchanged"] += 1
            if "decision" in ch:
                changed["decision"] += 1
            if {"reimbursed_eur", "eur_amount", "total_amount"} & set(ch):
                changed["amount"] += 1
            if "status" in ch:
                changed["status"] += 1
            if set(ch) - {"decision", "reimbursed_eur", "eur_amount", "total_amount", "status"}:
                changed["fields"] += 1
        out.update(run_id=run_id, attempts=run.attempts, state=run.state, changed=changed,
                   errors=errors[:50])
    return out


def finish(sessions: sessionmaker[Session], run_id: int) -> bool:
    """Mark the run finished if nothing is left to do; True when it is."""
    with sessions.begin() as s:
        if s.scalar(_left(run_id)):
            return False
        run = s.get(BulkRun, run_id)
        run.state, run.finished_at = "finished", utcnow()
        return True


# --- one item ---------------------------------------------------------------------------------


class _AlreadyDone(Exception):
    pass


def transient(exc: BaseException) -> bool:
    """An error a retry can fix: database connection lost, server down, lock timeout, or the
    network (the online rate provider). Never a broken file or a bug."""
    if isinstance(exc, DBAPIError):
        return exc.connection_invalidated or isinstance(exc, (OperationalError, InterfaceError))
    if isinstance(exc, (SATimeoutError, DisconnectionError, ConnectionError, TimeoutError)):
        return True
    name = f"{type(exc).__module__}.{type(exc).__name__}"
    return name.startswith(("httpx.", "requests.")) and any(
        k in type(exc).__name__ for k in ("Connect", "Timeout", "Network", "Transport"))


def insured_for(session: Session, insured_id: str | None) -> P.Insured | None:
    """The insured person stored for a document, so its coverage and claim stay with them."""
    if not insured_id:
        return None
    row = session.get(InsuredRow, insured_id)
    if row is not None and row.profile:
        try:
            from coverage.insured import parse_insured

            return P.Insured(person=parse_insured(row.profile))
        except Exception as e:  # a profile that no longer validates: review, same claim
            return P.Insured(person=_KnownId(insured_id), error_field=getattr(e, "field", "profile"),
                             error_message=str(e))
    return P.Insured(person=_KnownId(insured_id), error_field="insured_profile_missing",
                     error_message=f"no stored profile for insured {insured_id}")


@dataclass(frozen=True)
class _KnownId:
    insured_id: str

    @property
    def raw(self) -> dict:
        return {"insured_id": self.insured_id}


def _read(sessions, item) -> tuple[bytes | None, str, dict | None]:
    """(bytes, source, failed result or None)."""
    if item.kind == "document":  # the source comes from the stored document (process_item)
        with sessions() as s:
            return P.original_bytes(s, item.ref), item.ref, None
    path = item.ref
    try:
        size = os.path.getsize(path)
        if size > P.MAX_BYTES:
            return None, path, {"too_large": size}
        with open(path, "rb") as fh:
            return fh.read(), path, None
    except FileNotFoundError:
        return None, path, failed(None, path, "file_not_found", f"no such file: {path}")
    except OSError as e:
        return None, path, failed(None, path, "unreadable_file", f"cannot read {path}: {e.strerror}")


def _mark(s: Session, item_id: int, **values) -> None:
    res = s.connection().execute(_item_statements().mark, {  # SET: the other parameters
        "item": item_id, "state": "done", "finished_at": utcnow(), "worker": WORKER, **values})
    if res.rowcount != 1:
        raise _AlreadyDone()


@lru_cache(maxsize=1)
def _item_statements():
    """The bulk path's per-item statements, built once and run with parameters (see
    process.statements): no ORM bookkeeping or statement building per document."""
    items = BulkItem.__table__
    item = bindparam("item")
    return SimpleNamespace(
        item=select(items.c.run_id, items.c.kind, items.c.ref, items.c.state).where(items.c.id == item),
        mark=update(items).where(items.c.id == item, items.c.state != "done"),
        twin=earlier_twin(bindparam("run"), bindparam("doc")),
        document=stored_document(bindparam("doc")),
    )


WORKER = f"{socket.gethostname()}:{os.getpid()}"[:64]


def earlier_twin(run_id: int, document_id: str):
    """The status of the same bytes done earlier in this run (ix_bulk_items_document)."""
    items = BulkItem.__table__
    return select(items.c.status).where(items.c.run_id == run_id, items.c.document_id == document_id,
                                        items.c.state == "done").limit(1)


def stored_document(document_id: str):
    """A document's source, insured id and current result (versions, payload, evidence)."""
    D, R = Document.__table__, Result.__table__
    return (select(D.c.source, D.c.insured_id, D.c.current_result_id, R.c.payload, R.c.evidence,
                   R.c.pipeline_version, R.c.model_version, R.c.rules_version)
            .select_from(D.outerjoin(R, R.c.id == D.c.current_result_id)).where(D.c.id == document_id))


def process_item(sessions: sessionmaker[Session], item_id: int, sel: Selection,
                 default: P.Insured | None, cfg, stats: dict | None = None) -> str | None:
    """Process one item; returns its result status, or None when it was already done.
    A document whose current result kept a reading by this same reader starts from it (no
    parsing or OCR again) unless the selection says `reread`; counted in stats["reused"]."""
    ready = prepare_item(sessions, item_id, sel, default)
    if not isinstance(ready, Ready):
        return ready
    classified = P.classify_stage(ready.extracted[0], ready.source) if ready.readable else None
    return finish_item(sessions, ready, classified, cfg, stats)


@dataclass
class Ready:
    """An item read and extracted, waiting for its classification and its save."""

    item_id: int
    run_id: int
    document_id: str
    source: str
    data: bytes | None
    new: bool  # not in the store yet: its original is saved with its result
    insured: P.Insured | None
    versions: dict
    reused: bool  # extracted from the stored reading
    extracted: Any  # (extraction, pages), or the `failed` result of a file that cannot be read

    @property
    def readable(self) -> bool:
        return not isinstance(self.extracted, dict)


def prepare_item(sessions: sessionmaker[Session], item_id: int, sel: Selection,
                 default: P.Insured | None) -> Ready | str | None:
    """An item up to its classification (a Ready), or its status when it needs no analysis: a
    file that cannot be opened, up to date (`sel.force` off), the same bytes done earlier in the
    run; None when it was done already. Writes only those marks."""
    q = _item_statements()
    with sessions() as s:
        item = s.connection().execute(q.item, {"item": item_id}).first()
        if item is None:  # e.g. the store file was replaced under a running run
            raise LookupError(f"bulk item {item_id} is not in the store {s.get_bind().url!r}")
    if item.state == "done":
        return None
    if item.kind == "document":  # its id is its sha256: the bytes are loaded only when needed
        data, source, early = None, None, None
    else:
        data, source, early = _read(sessions, item)
    if early is not None:
        if "too_large" in early:
            result = P.record_too_large(item.ref, early["too_large"], sessions, default)
        else:
            result = early
        return _mark_now(sessions, item_id, document_id=result["document_id"],
                         status=result["status"])
    document_id = item.ref if data is None else hashlib.sha256(data).hexdigest()
    with sessions() as s:
        c = s.connection()
        doc = c.execute(q.document, {"doc": document_id}).first()
        insured = default or (insured_for(s, doc.insured_id) if doc else None)
        # a first look, so that a twin is not read again; decided when saving (finish_item)
        twin = c.scalar(q.twin, {"run": item.run_id, "doc": document_id})
    # the document's current result: for --skip-current and its stored reading
    current = doc if doc is not None and doc.current_result_id is not None else None
    versions = P.current_versions(insured)
    reading = None if current is None or sel.reread else P.stored_reading(current.evidence)
    if data is None:  # a stored document: its source as stored; its bytes unless a reading serves
        source = doc.source if doc is not None else item.ref
        if reading is None or doc is None:
            data, _, _ = _read(sessions, item)
    if not sel.force:
        stored = P.up_to_date(current, versions, source)
        if stored is not None:  # up to date: nothing to do, nothing changed
            return _mark_now(sessions, item_id, document_id=document_id, status=stored["status"],
                             changes={})
    if twin is not None:
        return _mark_now(sessions, item_id, document_id=document_id, status=twin, changes={})
    extracted = reading or P.extract_stage(data, document_id, source)
    return Ready(item_id, item.run_id, document_id, source, data, doc is None, insured, versions,
                 reading is not None, extracted)


def finish_item(sessions: sessionmaker[Session], r: Ready, classified, cfg,
                stats: dict | None = None) -> str | None:
    """Convert, evaluate, route and save a prepared item with its classification (a
    process.classify_stage answer); its status, or None when it was done already."""
    q = _item_statements()
    try:
        with sessions.begin() as s:
            twin = s.connection().scalar(q.twin, {"run": r.run_id, "doc": r.document_id})
            if twin is not None:
                _mark(s, r.item_id, document_id=r.document_id, status=twin, changes={})
                return twin
            if r.readable:
                ext, pages = r.extracted
                result, evidence = P.decide(s, ext, pages, classified, r.document_id, r.source,
                                            r.insured, cfg)
            else:  # a file that cannot be read: kept with its error
                result, evidence = r.extracted, {}
            # written after the analysis so a SQLite write lock is never held during OCR;
            # one commit per document: original, result, claim, review item, checkpoint
            if r.new:  # a stored document's original is kept already (foreign key)
                P.store_original(s, r.data, r.document_id)
            row = P.save(s, result, evidence, r.insured, r.versions)
            _mark(s, r.item_id, document_id=r.document_id, result_id=row.id,
                  status=result["status"], changes=row.changes)
    except _AlreadyDone:
        return None
    if r.reused and stats is not None:
        stats["reused"] = stats.get("reused", 0) + 1
    return result["status"]


def _mark_now(sessions, item_id: int, **values) -> str | None:
    """Mark an item done in its own transaction; its status, or None if it was done already."""
    try:
        with sessions.begin() as s:
            _mark(s, item_id, **values)
    except _AlreadyDone:
        return None
    return values["status"]


THREADS_ENV = "CLAIMFLOW_WORKER_THREADS"  # set for local workers by flows.worker_environ


def apply_thread_limit() -> int | None:
    """Image threads for this worker from CLAIMFLOW_WORKER_THREADS (unset: library defaults)."""
    value = os.environ.get(THREADS_ENV)
    if not value or not value.isdigit():
        return None
    from extractors.preprocess import set_threads

    set_threads(int(value))
    return int(value)


GC_YOUNG = 20_000  # container allocations between young collections in a bulk worker (CPython: 700)
_gc_settled = False


def in_dask_worker() -> bool:
    try:
        from distributed import get_worker

        get_worker()
        return True
    except (ImportError, ValueError):
        return False


def settle_gc() -> bool:
    """Once per worker process, after its first document: collect, freeze what is left
    (libraries, the model, caches) out of the cyclic collector's scans, and collect young
    objects less often. Reading a text PDF allocates ~0.5 M small objects and few cycles; with
    CPython's defaults the collector took 1.0-1.3 s of 275 text PDFs in a worker, 0.06-0.10 s
    after this (bench/gc_worker.py). Garbage made later is still collected. True when this call
    settled it."""
    global _gc_settled
    if _gc_settled:
        return False
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG, *gc.get_threshold()[1:])
    _gc_settled = True
    return True


# a worker classifies the documents it has read in groups of about this much reading (and at
# most GROUP_MAX): one classifier call per group (see Classifier.classify_many); a group's items
# are saved when it is classified, so a worker stopped mid-group reads those few again
GROUP_SECONDS, GROUP_MAX = 0.5, 32
# the same figures again from a worker's WARM_ITEMS-th steady item on: its first documents also
# fill caches that stay (line descriptions, rate histories, locales), see bench/throughput.py
WARM_ITEMS = 50
TIMING_KEYS = ("steady_items", "steady_s", "steady_read_s", "warm_items", "warm_s", "warm_read_s")
ITEM_RETRY_DELAYS = (0.2, 0.5, 1.0)  # seconds between attempts of one item on transient errors


class _Worker:
    """What a worker needs for every item of a run: sessions, routing, the insured file, stats."""

    def __init__(self, db_url: str, sel: Selection):
        from pipeline.db import session_factory
        from pipeline.routing import RoutingConfig

        self.started = time.monotonic()
        apply_thread_limit()
        self.sessions = session_factory(db_url)
        self.sel = sel
        self.cfg = RoutingConfig.load()
        self.insured = None
        if sel.insured_file:
            from pipeline.cli import load_insured

            self.insured = load_insured(sel.insured_file)
        self.out = {"worker": WORKER, "pid": os.getpid(), "processed": 0, "skipped": 0,
                    "errors": 0, "claims": 0, "reused": 0}
        # from the end of the first item (model loading; the collector settled) to the end of
        # the last: items, seconds, and seconds of those in read_pages (the overhead over reading)
        self.steady: dict = {}
        # a long-lived Dask worker process (not the caller's own): settle its collector once warm
        self.settle = not _gc_settled and in_dask_worker()

    def run(self, item_ids: list[int]) -> None:
        """Process items in groups: each item read and extracted, then the group classified in
        one classifier call, then each item saved in its own transaction. A group holds about
        GROUP_SECONDS of reading (one scan, a dozen text PDFs). An item that fails on the way goes
        through the one-item path (`one`): transient database errors are retried per item and
        then raised (the Prefect task retries, skipping finished items); any other error is
        recorded on the item and the rest goes on."""
        group: list[Ready] = []
        started = time.perf_counter()
        for item_id in item_ids:
            if not group:
                self._warm()
            try:
                ready = prepare_item(self.sessions, item_id, self.sel, self.insured)
            except Exception:  # retried, or recorded on the item, by the one-item path
                if group:  # saved first: items are saved in their order
                    self._finish(group)
                    group, started = [], time.perf_counter()
                self.one(item_id)
                self._after_one()
                continue
            if not isinstance(ready, Ready):  # needed no analysis
                self.out["processed" if ready else "skipped"] += 1
                self._after_one()
                continue
            group.append(ready)
            # the worker's first item alone: it loads the model, and the worker's steady time
            # (its reading against its whole time, see _tick) is counted from its end
            if not self.steady or len(group) >= GROUP_MAX or \
                    time.perf_counter() - started >= GROUP_SECONDS:
                self._finish(group)
                group, started = [], time.perf_counter()
        if group:
            self._finish(group)

    def _finish(self, group: list[Ready]) -> None:
        todo = [r for r in group if r.readable]
        classified = dict(zip((r.item_id for r in todo), P.classify_stages(
            [r.extracted[0] for r in todo], [r.source for r in todo]))) if todo else {}
        for r in group:
            try:
                status = finish_item(self.sessions, r, classified.get(r.item_id), self.cfg, self.out)
                self.out["processed" if status else "skipped"] += 1
            except Exception:  # e.g. another worker saved the same bytes: the one-item path
                self.one(r.item_id)
            self._after_one()

    def _after_one(self) -> None:
        if self.settle:  # after the first document: the model and the caches are loaded
            settle_gc()
            self.settle = False
        self._tick()  # after settling: the full collection (~0.3 s) is warm-up, like the model

    def one(self, item_id: int) -> None:
        out = self.out
        for attempt in range(len(ITEM_RETRY_DELAYS) + 1):
            last = attempt == len(ITEM_RETRY_DELAYS)
            try:
                status = process_item(self.sessions, item_id, self.sel, self.insured, self.cfg,
                                      self.out)
                out["processed" if status else "skipped"] += 1
                return
            except IntegrityError:  # another worker saved the same bytes at the same moment
                if last:
                    raise
            except Exception as e:
                if transient(e):
                    if last:
                        raise
                    time.sleep(ITEM_RETRY_DELAYS[attempt])
                    continue
                log.error("item %s failed: %s", item_id, e, exc_info=True)
                _record_error(self.sessions, item_id, f"{type(e).__name__}: {e}")
                out["errors"] += 1
                return

    def _tick(self) -> None:
        now, st = time.perf_counter(), self.steady
        if not st:
            st.update(t0=now, read0=P.read_clock[0], items=-1)
        st["items"] += 1
        st["t"], st["read"] = now, P.read_clock[0]

    def _warm(self) -> None:
        """Mark the start of the warm figures: between groups (a group's items are all read
        before the first is saved), once WARM_ITEMS steady items are done."""
        st = self.steady
        if "warm" not in st and st.get("items", 0) >= WARM_ITEMS:
            st["warm"] = (st["items"], st["t"], st["read"])

    def stats(self) -> dict:
        self.out["seconds"] = round(time.monotonic() - self.started, 3)
        st = self.steady
        if st.get("items", 0) > 0:
            self.out.update(steady_items=st["items"], steady_s=round(st["t"] - st["t0"], 4),
                            steady_read_s=round(st["read"] - st["read0"], 4))
        if "warm" in st and st["items"] > st["warm"][0]:
            items, t, read = st["warm"]
            self.out.update(warm_items=st["items"] - items, warm_s=round(st["t"] - t, 4),
                            warm_read_s=round(st["read"] - read, 4))
        self.out["peak_rss_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        return self.out


def process_batch(db_url: str, run_id: int, item_ids: list[int], sel: Selection) -> dict:
    """Process the given items of a run (see _Worker.run); returns the worker's stats."""
    w = _Worker(db_url, sel)
    w.run(item_ids)
    return w.stats()


def drain(db_url: str, run_id: int, sel: Selection, size: int | None = None,
          workers: int = 1) -> dict:
    """Claim and process the run's pending items until none is left (claims of `size` items, or
    sized by claim_size for one of `workers` workers). On an error that stops this worker (e.g.
    the database stayed down) the items it claimed but did not finish go back to pending."""
    w = _Worker(db_url, sel)
    per_item, warm = None, False
    mine: list[int] = []
    try:
        while True:
            n = size or claim_size(per_item, left(w.sessions, run_id) if per_item else None,
                                   workers)
            mine = claim(w.sessions, run_id, n)
            if not mine:
                break
            w.out["claims"] += 1
            t = time.monotonic()
            w.run(mine)
            if warm:  # the first claim loads the model: not a measure of speed
                per_item = (time.monotonic() - t) / len(mine)
            warm, mine = True, []
    finally:
        if mine:
            try:
                release(w.sessions, run_id, mine)
            except Exception as e:  # e.g. still down: the flow's next round releases them
                log.warning("could not return %d claimed items: %s", len(mine), e)
    return w.stats()


def _record_error(sessions, item_id: int, message: str) -> None:
    with sessions.begin() as s:
        s.execute(update(BulkItem).where(BulkItem.id == item_id,
                                         BulkItem.state.in_(("pending", "claimed")))
                  .values(state="error", error=message[:2000], worker=WORKER, finished_at=utcnow()))
