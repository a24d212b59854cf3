"""Prefect flows: one document (`process_document`, `portal_upload`) and the bulk backlog.

Prefect runs in its local ephemeral mode unless PREFECT_API_URL points at a server; see
pipeline/prefect_env.py for the defaults (no telemetry, Prefect's logs on stderr only).
The stages are pipeline.process functions; this module only decides what runs as which task,
with retries where a retry can help (the database, the online rate provider) and none where it
cannot (reading or extracting a broken file, the classifier).
"""
from __future__ import annotations

import hashlib
import os
import time
from typing import Any, Callable

import pipeline.prefect_env  # noqa: F401  (before prefect)
from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import wait

from pipeline import bulk
from pipeline import process as P
from pipeline.result import failed



def _transient_failure(task, task_run, state) -> bool:
    """Prefect retry condition: retry only what a retry can fix (bulk.transient)."""
    try:
        exc = state.result(raise_on_failure=False)
    except BaseException as e:
        exc = e
    return isinstance(exc, BaseException) and bulk.transient(exc)


DB_RETRIES: dict[str, Any] = {"retries": 3, "retry_delay_seconds": [1, 2, 4],
                              "retry_condition_fn": _transient_failure}
BATCH_RETRIES: dict[str, Any] = {"retries": 2, "retry_delay_seconds": [1, 3],
                                 "retry_condition_fn": _transient_failure}


def _sessions(db_url: str | None):
    from pipeline.db import session_factory

    return session_factory(db_url)


# --- tasks of one document --------------------------------------------------------------------


@task(cache_policy=NO_CACHE)  # no retries: a missing or unreadable file stays so
def read_file(path: str) -> bytes | dict:
    """The file's bytes, or the `failed` result (not found, unreadable, too large)."""
    try:
        size = os.path.getsize(path)
        if size > P.MAX_BYTES:
            return {"too_large": size}
        with open(path, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        return failed(None, path, "file_not_found", f"no such file: {path}")
    except OSError as e:
        return failed(None, path, "unreadable_file", f"cannot read {path}: {e.strerror}")


@task(cache_policy=NO_CACHE, **DB_RETRIES)
def stored_source(db_url: str | None, document_id: str) -> str | None:
    """The source a stored original was first given as (None if never processed); its bytes are
    loaded only if the document must be read (read_stored)."""
    from pipeline.store import Document

    with _sessions(db_url)() as s:
        if s.execute(P.statements().original_known, {"doc": document_id}).first() is None:
            raise LookupError(f"document {document_id} is not in the store")
        doc = s.get(Document, document_id)
        return doc.source if doc else None


@task(cache_policy=NO_CACHE, **DB_RETRIES)
def read_stored(db_url: str | None, document_id: str) -> bytes:
    """A stored original's bytes (LookupError if the store did not keep them)."""
    with _sessions(db_url)() as s:
        return P.original_bytes(s, document_id)


@task(cache_policy=NO_CACHE, **DB_RETRIES)
def store(db_url: str | None, data: bytes) -> str:
    """Keep the original bytes; returns the document id (sha256)."""
    document_id = hashlib.sha256(data).hexdigest()
    with _sessions(db_url).begin() as s:
        P.store_original(s, data, document_id)
    return document_id


@task(cache_policy=NO_CACHE, **DB_RETRIES)
def lookup(db_url: str | None, document_id: str, insured_id: str | None,
           insured_file: str | None) -> tuple[P.Insured | None, dict]:
    """The insured person (file, else the stored profile of `insured_id`) and the versions."""
    insured = None
    if insured_file:
        from pipeline.cli import load_insured

        insured = load_insured(insured_file)
    elif insured_id:
        with _sessions(db_url)() as s:
            insured = bulk.insured_for(s, insured_id)
    return insured, P.current_versions(insured)


@task(cache_policy=NO_CACHE, **DB_RETRIES)
def previous(db_url: str | None, document_id: str, versions: dict, source: str, force: bool,
             reread: bool):
    """(the stored result if up to date, the stored reading to start from): P.previous."""
    return P.previous(_sessions(db_url), document_id, versions, source, force, reread)


@task(cache_policy=NO_CACHE)  # no retries: a corrupt file stays corrupt
def extract(data: bytes, document_id: str, source: str):
    return P.extract_stage(data, document_id, source)


@task(cache_policy=NO_CACHE)  # no retries: the classifier is local and deterministic
def classify(ext, source: str):
    return P.classify_stage(ext, source)


@task(cache_policy=NO_CACHE, **DB_RETRIES)
def decide_and_save(db_url: str | None, ext, pages, classified, document_id: str, source: str,
                    insured: P.Insured | None, versions: dict) -> dict:
    """Convert (store or online rates), evaluate coverage, route, save: one transaction, so the
    usage the evaluation records and the result commit together or not at all."""
    from pipeline.routing import RoutingConfig

    with _sessions(db_url).begin() as s:
        result, evidence = P.decide(s, ext, pages, classified, document_id, source, insured,
                                    RoutingConfig.load())
        P.save(s, result, evidence, insured, versions)
    return result


@task(cache_policy=NO_CACHE, **DB_RETRIES)
def save_failed(db_url: str | None, result: dict, insured: P.Insured | None, versions: dict) -> dict:
    with _sessions(db_url).begin() as s:
        P.save(s, result, {}, insured, versions)
    return result


def _document(db_url, data: bytes | None, document_id: str, source: str, insured_id, insured_file,
              force: bool, reread: bool = False) -> dict:
    """`data`: the document's bytes, or None for a stored original (loaded only if it is read)."""
    insured, versions = lookup(db_url, document_id, insured_id, insured_file)
    stored, reading = previous(db_url, document_id, versions, source, force, reread)
    if stored is not None and not force:
        return stored
    # a reading kept by this same reader stands in for reading the file again
    if reading is None and data is None:
        data = read_stored(db_url, document_id)
    extracted = reading or extract(data, document_id, source)
    if isinstance(extracted, dict):
        return save_failed(db_url, extracted, insured, versions)
    ext, pages = extracted
    return decide_and_save(db_url, ext, pages, classify(ext, source), document_id, source,
                           insured, versions)


@flow(name="process-document", log_prints=False)
def process_document(path: str | None = None, document_id: str | None = None,
                     source: str | None = None, insured_id: str | None = None,
                     insured_file: str | None = None, db_url: str | None = None,
                     force: bool = False, reread: bool = False) -> dict:
    """read -> extract -> classify -> convert/evaluate/route/save for a file or a stored original.
    Returns the contract's result. A document processed before starts from the reading its
    current result kept, if this same reader made it, unless `reread`."""
    if path is not None:
        data = read_file(path)
        if isinstance(data, dict):
            if "too_large" in data:
                insured, _ = lookup(db_url, "", insured_id, insured_file)
                return P.record_too_large(path, data["too_large"], _sessions(db_url), insured)
            return data
        document_id = store(db_url, data)
        source = source or path
    elif document_id is not None:
        data = None  # loaded only if the document must be read again
        source = source or stored_source(db_url, document_id)
    else:
        raise ValueError("give a path or a document_id")
    return _document(db_url, data, document_id, source or document_id, insured_id, insured_file,
                     force, reread)


@flow(name="portal-upload", log_prints=False)
def portal_upload_flow(document_id: str, filename: str, insured_id: str | None = None,
                       db_url: str | None = None) -> dict:
    return _document(db_url, None, document_id, filename, insured_id, None, force=False)


def portal_upload(data: bytes, filename: str, insured_id: str | None, db_url: str | None) -> dict:
    """One document uploaded in the portal, processed by the `portal-upload` flow.

    The bytes are stored first (retried) and the flow gets their document id, so the upload
    itself never travels as a flow parameter into Prefect's database.
    """
    document_id = _retry(lambda: store.fn(db_url, data))
    return portal_upload_flow(document_id, filename, insured_id, db_url)


def _retry(fn: Callable[[], Any]) -> Any:
    for delay in DB_RETRIES["retry_delay_seconds"]:
        try:
            return fn()
        except Exception as e:
            if not bulk.transient(e):
                raise
            time.sleep(delay)
    return fn()


# --- the backlog --------------------------------------------------------------------------------


@task(cache_policy=NO_CACHE, **DB_RETRIES)
def open_run(db_url: str | None, sel: bulk.Selection) -> tuple[int, bool]:
    return bulk.open_run(_sessions(db_url), sel)


@task(cache_policy=NO_CACHE, **DB_RETRIES)
def load_rates(db_url: str | None) -> int:
    return bulk.load_rates(_sessions(db_url))


@task(cache_policy=NO_CACHE, **BATCH_RETRIES, task_run_name="worker-{n}")
def drain(db_url: str, run_id: int, sel: bulk.Selection, size: int | None, n: int,
          workers: int = 1) -> dict:
    """Worker n of `workers`: claims pending items until none is left (bulk.drain)."""
    return bulk.drain(db_url, run_id, sel, size, workers)


ProgressHook = Callable[[dict], None]
_progress: list[ProgressHook] = []  # set by the CLI: called with bulk.counts(...) while running


@flow(name="backlog-reprocess", log_prints=False)
def backlog_reprocess(paths: list[str] | None = None, document_ids: list[str] | None = None,
                      query: str | None = None, db_url: str | None = None, force: bool = True,
                      insured_file: str | None = None, workers: int = 2,
                      batch_size: int | None = None, rounds: int = 3,
                      dask_address: str | None = None, reread: bool = False) -> dict:
    """Reprocess a directory, a list of document ids or a store query as one checkpointed run.

    One `drain` task per worker runs on the flow's task runner (local processes or Dask) and
    claims items until none is left (`batch_size`: items per claim; default sized by speed).
    On the Dask cluster at `dask_address`, workers that join during the run get tasks too.
    Items claimed by a worker that died, or by a task that failed after its retries, go back to
    pending and run in the next round; what is still pending after `rounds` stays in the
    checkpoint for the same command to resume. A stored document whose current result kept a
    reading by this same reader (extractors.reading) is not read again unless `reread`.
    """
    from pipeline.db import default_url

    db_url = db_url or default_url()
    sel = bulk.Selection(paths=list(paths or []), document_ids=list(document_ids or []),
                         query=query, force=force, insured_file=insured_file, reread=reread)
    sessions = _sessions(db_url)
    run_id, resumed = open_run(db_url, sel)
    load_rates(db_url)  # a fresh store's rates, before the workers need them
    batch_stats: list[dict] = []
    failures: list[str] = []
    for _ in range(rounds):
        _retry(lambda: bulk.release(sessions, run_id))  # no task runs now: every claim is stale
        todo = _retry(lambda: bulk.left(sessions, run_id))
        if not todo:
            break
        tasks = min(workers, todo)
        futures = [drain.submit(db_url, run_id, sel, batch_size, n, tasks)
                   for n in range(1, tasks + 1)]
        grow = None
        if dask_address:
            grow = _Grow(dask_address,
                         lambda n: drain.submit(db_url, run_id, sel, batch_size, n, n),
                         lambda: bulk.left(sessions, run_id), len(futures))
        try:
            _watch(futures, sessions, run_id, grow)
        finally:
            if grow is not None:
                grow.close()
        for f in futures:
            try:
                batch_stats.append(f.result())
            except BaseException as e:  # worker lost, database down after retries, ...
                failures.append(f"{type(e).__name__}: {e}")
    _retry(lambda: bulk.release(sessions, run_id))  # a failed worker's claim: pending again
    finished = _retry(lambda: bulk.finish(sessions, run_id))
    out = _retry(lambda: bulk.summary(sessions, run_id))
    out.update(resumed=resumed, finished=finished, batch_failures=failures[-10:],
               workers=_worker_stats(batch_stats),
               readings_reused=sum(b.get("reused", 0) for b in batch_stats))
    if not finished:
        from prefect import get_run_logger

        get_run_logger().warning("run %s: %s documents still pending (%s); the same command "
                                 "resumes it", run_id, out["pending"], "; ".join(failures[-1:]))
    return out


PROGRESS_EVERY = 0.5  # seconds between progress polls at least
PROGRESS_SHARE = 0.02  # ... and at most this share of the flow's time spent on them: counting a
# run's items takes ~40 ms at 100,000 items on SQLite, which every 0.5 s would take 8% of a core


GROW_EVERY = 5.0  # seconds between looks at a Dask cluster's size during a run


class _Grow:
    """Worker tasks for threads that joined the Dask cluster during the run (an adaptive
    cluster scaling up): every GROW_EVERY seconds, one more `drain` task per thread beyond the
    tasks still running, while items are left."""

    def __init__(self, address: str, submit: Callable[[int], Any], left: Callable[[], int],
                 submitted: int):
        from distributed import Client

        self.client = Client(address, timeout=30, set_as_default=False)
        self.submit, self.left, self.submitted = submit, left, submitted
        self.next = time.monotonic() + GROW_EVERY

    def __call__(self, running: int) -> list:
        if time.monotonic() < self.next:
            return []
        self.next = time.monotonic() + GROW_EVERY
        try:
            extra = min(_threads(self.client) - running, self.left())
        except Exception:  # the scheduler or the database busy for a moment: look again later
            return []
        new = [self.submit(self.submitted + i + 1) for i in range(max(0, extra))]
        self.submitted += len(new)
        return new

    def close(self) -> None:
        self.client.close()


def _watch(futures, sessions, run_id: int, grow: Callable[[int], list] | None = None) -> None:
    next_poll = 0.0
    while True:
        not_done = wait(futures, timeout=PROGRESS_EVERY).not_done
        if grow is not None and not_done:
            futures.extend(grow(len(not_done)))
        done = not not_done
        if _progress and (done or time.monotonic() >= next_poll):
            started = time.monotonic()
            try:
                c = bulk.counts(sessions, run_id)
            except Exception:  # the database may be down for a moment: the bar just waits
                c = None
            spent = time.monotonic() - started
            next_poll = started + spent / PROGRESS_SHARE
            if c is not None:
                for hook in _progress:
                    hook(c)
        if done:
            return


def _worker_stats(stats: list[dict]) -> dict:
    out: dict[str, dict] = {}
    for s in stats:
        w = out.setdefault(s["worker"], {"claims": 0, "processed": 0, "seconds": 0.0,
                                         "peak_rss_bytes": 0})
        w["claims"] += s.get("claims", 0)
        w["processed"] += s["processed"]
        w["seconds"] = round(w["seconds"] + s["seconds"], 3)
        w["peak_rss_bytes"] = max(w["peak_rss_bytes"], s["peak_rss_bytes"])
        for key in bulk.TIMING_KEYS:
            if key in s:
                w[key] = round(w.get(key, 0) + s[key], 4)
    return out


# Our local workers run one CPU-bound task at a time with no dashboard: the diagnostics that wake
# the worker's event loop every 10-500 ms (statistical profiler, system and memory monitors) take
# the GIL from the task; measured ~13% per document on text PDFs (4 of 4 paired runs).
# Dask also starts workers with MALLOC_TRIM_THRESHOLD_=65536 (memory back to the OS at every free
# above 64 KiB); parsing PDFs allocates and frees all the time: 46-48 -> 52-54 ms/doc with it set,
# in one process. Unset (glibc's adaptive default) for our workers, whose peak is ~0.7-1 GiB.
LOCAL_WORKER_CONFIG = {
    "distributed.worker.profile.enabled": False,
    # the loop's health check, every 20 ms by default: 2.2% of a core in a busy worker's event
    # loop, 0.35% at 1 s (measured; the overhead over reading did not move beyond noise)
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "5s",
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
}


def worker_environ(workers: int) -> dict:
    """Extra environment of local worker processes (Dask already gives each one OpenMP/BLAS
    thread): the image threads each may use, so that the workers together use the cores once,
    and no tokenizer thread pool (a worker's group of documents is tokenized in its own thread)."""
    return {bulk.THREADS_ENV: str(max(1, (os.cpu_count() or 1) // max(1, workers))),
            "TOKENIZERS_PARALLELISM": "false"}


def local_cluster_kwargs(workers: int) -> dict:
    """A Dask LocalCluster of `workers` bulk worker processes, as `claimflow reprocess` starts
    it (benchmarks build theirs from this too). Sets LOCAL_WORKER_CONFIG in this process: the
    nannies hand the parent's config to their workers."""
    import dask

    dask.config.set(LOCAL_WORKER_CONFIG)
    return {"n_workers": workers, "threads_per_worker": 1, "processes": True,
            "dashboard_address": None, "env": worker_environ(workers)}


def task_runner(workers: int, dask_address: str | None = None):
    """Local processes (a Dask LocalCluster of `workers` processes), a Dask cluster at
    `dask_address`, or threads in this process when workers == 0 (debugging, tests)."""
    if workers == 0 and not dask_address:
        from prefect.task_runners import ThreadPoolTaskRunner

        return ThreadPoolTaskRunner(max_workers=1)
    from prefect_dask import DaskTaskRunner

    if dask_address:
        return DaskTaskRunner(address=dask_address)
    return DaskTaskRunner(cluster_class="distributed.LocalCluster",
                          cluster_kwargs=local_cluster_kwargs(workers))


def run_backlog(workers: int = 2, dask_address: str | None = None, **kw) -> dict:
    """`backlog_reprocess` on the right task runner."""
    runner = task_runner(workers, dask_address)
    if dask_address:  # one worker task per thread of the cluster (more if it grows)
        workers = cluster_threads(dask_address) or workers
    return backlog_reprocess.with_options(task_runner=runner)(workers=max(1, workers),
                                                              dask_address=dask_address, **kw)


def cluster_threads(address: str) -> int:
    """Worker threads of the Dask cluster at `address` now (0 if it has no workers yet)."""
    from distributed import Client

    with Client(address, timeout=30, set_as_default=False) as client:
        return _threads(client)


def _threads(client) -> int:
    return sum(client.nthreads().values())
