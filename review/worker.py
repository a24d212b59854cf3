"""Background processing of uploads: a fixed pool of threads fed from the `uploads` table.

The table is the queue, so nothing is lost on restart: jobs left `running` by a dead process are
put back to `queued` at start-up, and every `queued` job is picked up again.
One server process per store is assumed (the start-up reset would steal another's jobs).
"""
from __future__ import annotations

import logging
import threading
from typing import Callable

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from pipeline.store import Original, utcnow
from pipeline.store_review import Upload

log = logging.getLogger("claimflow.review")

MAX_ATTEMPTS = 3  # a job that raises is retried, then left `failed` with its error
# (data, filename, insured_id) -> the contract's result
Processor = Callable[[bytes, str, str | None], dict]


def load_insured(session: Session, insured_id: str | None):
    """pipeline.process.Insured for a known insured person (profile stored), else None."""
    from pipeline.process import Insured
    from pipeline.store import Insured as InsuredRow

    row = session.get(InsuredRow, insured_id) if insured_id else None
    if row is None or not row.profile:
        return None
    from coverage.insured import InsuredError, parse_insured

    try:
        return Insured(person=parse_insured(row.profile))
    except InsuredError as e:
        return Insured(error_field=e.field, error_message=str(e))


def default_processor(db_url: str | None, prefect_api: list[str] | None = None) -> Processor:
    """The `portal_upload` flow.

    `prefect_api` holds the URL of the app's managed Prefect server once it runs; each worker
    thread enters it itself (Prefect settings are per context, not read from the environment)."""
    from pipeline.flows import portal_upload

    def flow(data: bytes, filename: str, insured_id: str | None) -> dict:
        if not prefect_api:
            return portal_upload(data, filename, insured_id, db_url)
        from prefect.settings import PREFECT_API_URL, temporary_settings

        with temporary_settings({PREFECT_API_URL: prefect_api[0]}):
            return portal_upload(data, filename, insured_id, db_url)

    return flow


class UploadWorkers:
    def __init__(self, sessions: sessionmaker[Session], processor: Processor, workers: int = 2,
                 poll_seconds: float = 5.0):
        self.sessions = sessions
        self.processor = processor
        self.count = max(0, workers)
        self.poll = poll_seconds
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []

    def start(self) -> int:
        """Requeue jobs of a dead process and start the threads; returns jobs requeued."""
        with self.sessions.begin() as session:
            n = session.execute(update(Upload).where(Upload.state == "running")
                                .values(state="queued")).rowcount
        for i in range(self.count):
            t = threading.Thread(target=self._loop, name=f"upload-worker-{i}", daemon=True)
            t.start()
            self.threads.append(t)
        self.wake.set()
        return n

    def stop(self, timeout: float = 10.0) -> None:
        self.stopping.set()
        self.wake.set()
        for t in self.threads:
            t.join(timeout)
        self.threads.clear()

    def notify(self) -> None:
        self.wake.set()

    def _loop(self) -> None:
        while not self.stopping.is_set():
            try:
                job = self.take()
            except Exception:
                log.exception("upload queue: cannot take a job")
                job = None
            if job is None:
                self.wake.wait(self.poll)
                self.wake.clear()
                continue
            self.run(job)

    def take(self) -> int | None:
        """Atomically move the oldest queued job to `running`; SKIP LOCKED on PostgreSQL."""
        for _ in range(20):  # another worker may win the race for a job: try the next one
            with self.sessions.begin() as session:
                q = select(Upload.id).where(Upload.state == "queued").order_by(Upload.id).limit(1)
                if session.get_bind().dialect.name == "postgresql":
                    q = q.with_for_update(skip_locked=True)
                job_id = session.scalar(q)
                if job_id is None:
                    return None
                done = session.execute(
                    update(Upload).where(Upload.id == job_id, Upload.state == "queued")
                    .values(state="running", attempts=Upload.attempts + 1)).rowcount
                if done == 1:
                    return job_id
        return None

    def run(self, job_id: int) -> None:
        with self.sessions() as session:
            job = session.get(Upload, job_id)
            original = session.get(Original, job.document_id)
            data, filename, insured_id = original.data, job.filename, job.insured_id
            attempts = job.attempts
        state, error = "done", None
        try:
            result = self.processor(data, filename, insured_id)
            if result.get("status") == "failed":  # the document failed; the job did its work
                error = f"{result['error']['code']}: {result['error']['message']}"
        except Exception as e:  # retried, then recorded on the job
            log.exception("upload %s failed (attempt %s)", job_id, attempts)
            state = "queued" if attempts < MAX_ATTEMPTS else "failed"
            error = f"{type(e).__name__}: {e}"
        with self.sessions.begin() as session:
            session.execute(update(Upload).where(Upload.id == job_id)
                            .values(state=state, error=error,
                                    finished_at=None if state == "queued" else utcnow()))
