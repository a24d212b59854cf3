"""Bulk reprocessing: checkpointed runs, change summaries, store queries, and faults
(SIGKILL mid-run, database unreachable, a Dask worker dying) with exact counts."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import event, func, select, text, update
from sqlalchemy.exc import OperationalError

from helpers import FONT, text_pdf
from pipeline import bulk, flows
from pipeline import process as P
from pipeline.db import session_factory
from pipeline.store import Claim, Document, Result
from pipeline.store_bulk import BulkItem, BulkRun

ROOT = Path(__file__).resolve().parents[1]


def invoice(n: int) -> bytes:
    return text_pdf(["Praxis Dr. Anna Muller", "Hauptstrasse 5, 10115 Berlin", f"Rechnung Nr. R-{n}",
                     "Datum: 12.03.2026", f"Physiotherapie  {40 + n},00 EUR",
                     f"Summe: {40 + n},00 EUR"])


def scan(n: int) -> bytes:
    """A scanned-looking page (PNG, no text layer): OCR makes it take about a second."""
    import io

    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("L", (1240, 1754), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, 30)
    for i, line in enumerate(["Cabinet Dr. Martin", "12 rue de la Paix, 75002 Paris",
                              f"Facture No F-{n}", "Date: 12/03/2026", f"Kinesitherapie {60 + n},00 EUR",
                              f"Total: {60 + n},00 EUR"]):
        draw.text((120, 150 + 60 * i), line, fill=0, font=font)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def make_dir(folder: Path, pdfs: int, scans: int = 0) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(pdfs):
        (folder / f"inv_{i:03}.pdf").write_bytes(invoice(i))
    for i in range(scans):
        (folder / f"scan_{i:03}.png").write_bytes(scan(i))
    return folder


def counts(url: str) -> dict:
    sessions = session_factory(url)
    with sessions() as s:
        per_doc = s.execute(select(Result.document_id, func.count()).group_by(Result.document_id)).all()
        return {"documents": s.scalar(select(func.count()).select_from(Document)),
                "claims": s.scalar(select(func.count()).select_from(Claim)),
                "results": s.scalar(select(func.count()).select_from(Result)),
                "max_results_per_document": max((n for _, n in per_doc), default=0),
                "done": s.scalar(select(func.count()).where(BulkItem.state == "done")),
                "pending": s.scalar(select(func.count()).where(BulkItem.state == "pending"))}


@pytest.fixture(scope="module")
def prefect_api():
    """One Prefect server for the module (the workers and subprocesses share it)."""
    from pipeline.bulk_server import LocalServer

    with LocalServer() as url:
        yield url


@pytest.fixture
def on_server(prefect_api, monkeypatch):
    from prefect.settings import PREFECT_API_URL, temporary_settings

    monkeypatch.setenv("PREFECT_API_URL", prefect_api)  # for worker processes started here
    with temporary_settings({PREFECT_API_URL: prefect_api}):
        yield prefect_api


def test_reprocess_counts_history_and_change_summary(sqlite_url, tmp_path, on_server):
    docs = make_dir(tmp_path / "docs", 5)
    first = flows.run_backlog(workers=0, paths=[str(docs)], db_url=sqlite_url)
    assert (first["total"], first["done"], first["pending"], first["finished"]) == (5, 5, 0, True)
    assert first["changed"]["new"] == 5
    sessions = session_factory(sqlite_url)
    with sessions.begin() as s:  # pretend earlier results said something else
        rows = s.scalars(select(Result).order_by(Result.id)).all()
        rows[0].payload = {**rows[0].payload, "status": "failed"}
        rows[1].payload = {**rows[1].payload,
                           "fields": {**rows[1].payload["fields"], "total_amount": "1.00"}}
        rows[2].payload = {**rows[2].payload, "coverage": {"decision": "covered",
                                                          "reimbursed_eur": "10.00"}}
    again = flows.run_backlog(workers=0, query="all", db_url=sqlite_url)
    assert again["run_id"] != first["run_id"] and again["total"] == 5
    assert (first["readings_reused"], again["readings_reused"]) == (0, 5)  # not read again
    assert again["changed"] == {"decision": 1, "amount": 2, "status": 1, "fields": 0, "new": 0,
                                "unchanged": 2}
    assert counts(sqlite_url) | {} == {"documents": 5, "claims": 5, "results": 10,
                                       "max_results_per_document": 2, "done": 10, "pending": 0}
    from pipeline.cli_reprocess import describe

    text = describe(again)
    assert "1 decisions, 2 amounts, 1 statuses" in text and "2 unchanged" in text
    # --skip-current: everything is up to date, nothing is processed again
    skip = flows.run_backlog(workers=0, paths=[str(docs)], db_url=sqlite_url, force=False)
    assert skip["done"] == 5 and skip["changed"]["unchanged"] == 5
    assert counts(sqlite_url)["results"] == 10



def test_a_fresh_store_gets_its_rates_before_any_worker_starts(sqlite_url, tmp_path, on_server,
                                                               monkeypatch):
    """Otherwise the first worker to convert loads them, holding the write lock the others wait on."""
    from pipeline import fx_ecb

    docs = make_dir(tmp_path / "docs", 2)
    ends, real = [], bulk.drain

    def spy(db_url, *a, **k):
        with session_factory(db_url)() as s:
            ends.append(fx_ecb.span(s)[1])
        return real(db_url, *a, **k)

    monkeypatch.setattr(bulk, "drain", spy)
    out = flows.run_backlog(workers=0, paths=[str(docs)], db_url=sqlite_url)
    assert out["done"] == 2 and len(ends) == 1
    assert ends[0] is not None  # the bundled ECB history was in the store already
    assert bulk.load_rates(session_factory(sqlite_url)) == 0  # loaded once, not twice

def test_store_queries_select_by_version_status_and_queue_age(sqlite_url, tmp_path, monkeypatch):
    from pipeline.bulk_query import QueryError, select_documents

    monkeypatch.setenv("CLAIMFLOW_AUDIT_RATE", "1")  # every document queued for review
    sessions = session_factory(sqlite_url)
    ids = [P.process_bytes(invoice(i), f"q{i}.pdf", sessions)["document_id"] for i in range(4)]
    with sessions.begin() as s:
        for doc_id, version in zip(ids, ["clf-1.9", "clf-1.10", "clf-2.0", None]):
            s.execute(update(Result).where(Result.document_id == doc_id)
                      .values(model_version=version))
        s.execute(update(Document).where(Document.id == ids[0]).values(status="failed"))
    current = {"model_version": "clf-1.10", "pipeline_version": "0.1.0", "rules_version": "r"}
    with sessions() as s:
        assert select_documents(s, "model_version != current", current) == [ids[0], ids[2], ids[3]]
        assert select_documents(s, "model_version < clf-1.10", current) == [ids[0], ids[3]]
        assert select_documents(s, "status = failed", current) == [ids[0]]
        assert select_documents(s, "status != failed and model_version >= clf-1.10",
                                current) == [ids[1], ids[2]]
        assert select_documents(s, "review_queued < 2999-01-01", current) == ids
        assert select_documents(s, "review_queued < 2000-01-01", current) == []
        assert select_documents(s, "all", current) == ids
        with pytest.raises(QueryError, match="unknown field"):
            select_documents(s, "colour = red", current)


def _fail_result_inserts(url: str, state: dict) -> None:
    """Make the store fail like an unreachable server on INSERT INTO results."""
    engine = session_factory(url).kw["bind"]

    @event.listens_for(engine, "before_cursor_execute")
    def hook(conn, cursor, statement, params, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO RESULTS"):
            if state.get("down") and state["ok"] >= state["ok_before_down"] or state.get("fail", 0) > 0:
                state["fail"] = max(0, state.get("fail", 0) - 1)
                state["raised"] = state.get("raised", 0) + 1
                raise OperationalError(statement, params,
                                       Exception("could not connect to server: Connection refused"))
            state["ok"] += 1


def test_database_briefly_unreachable_is_retried(sqlite_url, tmp_path, on_server, monkeypatch):
    docs = make_dir(tmp_path / "docs", 4)
    session_factory(sqlite_url)
    # 5 failures: more than one item's own retries (3), so the Prefect task retry runs too
    state = {"fail": 5, "ok": 0}
    _fail_result_inserts(sqlite_url, state)
    monkeypatch.setattr(flows, "drain",
                        flows.drain.with_options(retry_delay_seconds=[0.2, 0.2]))
    out = flows.run_backlog(workers=0, paths=[str(docs)], db_url=sqlite_url, rounds=1)
    assert state["raised"] == 5 and out["finished"] and out["done"] == 4
    assert counts(sqlite_url) == {"documents": 4, "claims": 4, "results": 4,
                                  "max_results_per_document": 1, "done": 4, "pending": 0}


def test_database_down_fails_clearly_without_loss_and_resumes(sqlite_url, tmp_path, on_server,
                                                               monkeypatch):
    from typer.testing import CliRunner

    from pipeline.cli import app

    docs = make_dir(tmp_path / "docs", 7)
    session_factory(sqlite_url)
    state = {"down": True, "ok": 0, "ok_before_down": 3}
    _fail_result_inserts(sqlite_url, state)
    monkeypatch.setattr(bulk, "ITEM_RETRY_DELAYS", (0.01, 0.01))
    monkeypatch.setattr(flows, "drain",
                        flows.drain.with_options(retry_delay_seconds=[0.01, 0.01]))
    args = ["reprocess", str(docs), "--db", sqlite_url, "--workers", "0", "--batch-size", "2",
            "--json"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 1, res.output
    assert "4 documents not processed yet" in res.stderr
    assert "OperationalError" in res.stderr and "run the same command again to resume" in res.stderr
    summary = json.loads(res.stdout)
    assert (summary["done"], summary["pending"], summary["finished"]) == (3, 4, False)
    assert counts(sqlite_url) == {"documents": 3, "claims": 3, "results": 3,
                                  "max_results_per_document": 1, "done": 3, "pending": 4}
    state["down"] = False  # the database is back: the same command finishes the same run
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary["resumed"] and summary["attempts"] == 2 and summary["run_id"] == 1
    assert counts(sqlite_url) == {"documents": 7, "claims": 7, "results": 7,
                                  "max_results_per_document": 1, "done": 7, "pending": 0}


def _descendants(pid: int) -> list:
    import psutil

    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


@pytest.mark.slow
def test_sigkill_mid_run_then_same_command_resumes_exactly(sqlite_url, tmp_path, prefect_api):
    import psutil

    docs = make_dir(tmp_path / "docs", 28, scans=2)
    session_factory(sqlite_url)
    cmd = [sys.executable, "-m", "pipeline.cli", "reprocess", str(docs), "--db", sqlite_url,
           "--workers", "2", "--batch-size", "2", "--json"]
    env = {**os.environ, "PREFECT_API_URL": prefect_api}
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 150
    done = 0
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            done = counts(sqlite_url)["done"]
        except OperationalError:
            done = 0
        if done >= 4:
            break
        time.sleep(0.02)
    children = _descendants(proc.pid)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    gone, alive = psutil.wait_procs(children, timeout=20)
    for p in alive:  # must not happen: an orphan would keep processing behind our back
        p.kill()
    assert not alive, f"orphaned processes after SIGKILL: {[p.pid for p in alive]}"
    killed = counts(sqlite_url)
    assert 4 <= killed["done"] < 30, killed
    assert killed["documents"] == killed["claims"] == killed["results"] == killed["done"]

    out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    summary = json.loads(out.stdout)  # stdout is the summary alone: no Prefect or Dask logs
    assert out.stdout.count("\n") == 1
    assert summary["resumed"] and summary["attempts"] == 2 and summary["total"] == 30
    assert counts(sqlite_url) == {"documents": 30, "claims": 30, "results": 30,
                                  "max_results_per_document": 1, "done": 30, "pending": 0}
    sessions = session_factory(sqlite_url)
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(BulkRun)) == 1


def _run_in_thread(fn):
    import contextvars
    import threading

    box = {}

    def target():
        try:
            box["value"] = fn()
        except BaseException as e:  # noqa: BLE001 - handed to the test
            box["error"] = e

    ctx = contextvars.copy_context()  # Prefect's settings (the API URL) go along
    thread = threading.Thread(target=ctx.run, args=(target,), daemon=True)
    thread.start()
    return thread, box


@pytest.mark.slow
def test_dask_cluster_worker_dies_mid_run(sqlite_url, tmp_path, on_server):
    from distributed import Client, LocalCluster

    docs = make_dir(tmp_path / "docs", 10, scans=4)
    session_factory(sqlite_url)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        pids = client.run(os.getpid)
        thread, box = _run_in_thread(lambda: flows.run_backlog(
            workers=2, dask_address=cluster.scheduler_address, paths=[str(docs)],
            db_url=sqlite_url, batch_size=2))
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline and counts(sqlite_url)["done"] < 2:
            time.sleep(0.02)
        before = counts(sqlite_url)["done"]
        victim = next(pid for addr, pid in pids.items())
        os.kill(victim, signal.SIGKILL)  # the nanny restarts it; its batch is rescheduled
        thread.join(240)
        assert not thread.is_alive()
    assert "error" not in box, box.get("error")
    out = box["value"]
    assert 2 <= before < 14
    assert out["finished"] and out["done"] == 14 and out["errors"] == []
    assert counts(sqlite_url) == {"documents": 14, "claims": 14, "results": 14,
                                  "max_results_per_document": 1, "done": 14, "pending": 0}


@pytest.mark.slow
def test_workers_joining_the_dask_cluster_during_a_run_get_work(sqlite_url, tmp_path, on_server,
                                                                monkeypatch):
    from distributed import Client, LocalCluster

    monkeypatch.setattr(flows, "GROW_EVERY", 0.5)
    docs = make_dir(tmp_path / "docs", 4, scans=16)  # ~1 s per scan
    session_factory(sqlite_url)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        thread, box = _run_in_thread(lambda: flows.run_backlog(
            workers=1, dask_address=cluster.scheduler_address, paths=[str(docs)],
            db_url=sqlite_url))
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline and counts(sqlite_url)["done"] < 2:
            time.sleep(0.05)
        cluster.scale(2)  # an adaptive cluster scaling up
        client.wait_for_workers(2, timeout=60)
        thread.join(240)
        assert not thread.is_alive()
    assert "error" not in box, box.get("error")
    out = box["value"]
    assert out["finished"] and out["done"] == 20 and out["errors"] == []
    assert len(out["workers"]) == 2 and all(w["processed"] > 0 for w in out["workers"].values())
    assert counts(sqlite_url) == {"documents": 20, "claims": 20, "results": 20,
                                  "max_results_per_document": 1, "done": 20, "pending": 0}


@pytest.mark.postgres
def test_bulk_on_postgresql(pg_url, tmp_path, on_server):
    docs = make_dir(tmp_path / "docs", 4)
    out = flows.run_backlog(workers=0, paths=[str(docs), str(docs / "inv_000.pdf")], db_url=pg_url)
    # the same bytes twice in one run: one document, one claim, processed once
    assert (out["total"], out["done"], out["finished"]) == (5, 5, True)
    c = counts(pg_url)
    assert (c["documents"], c["claims"], c["results"], c["max_results_per_document"]) == (4, 4, 4, 1)


@pytest.mark.postgres
def test_on_postgresql_a_claim_skips_items_another_worker_is_claiming(pg_url, tmp_path):
    sessions, sel, run_id = _run_of(pg_url, make_dir(tmp_path / "docs", 7))
    ids = bulk.pending(sessions, run_id)
    other = sessions()  # another worker's claim, not committed yet: its rows are locked
    try:
        locked = other.scalars(select(BulkItem.id).where(BulkItem.id.in_(ids[:3]))
                               .with_for_update()).all()
        assert sorted(locked) == ids[:3]
        with sessions() as s:  # fail fast instead of hanging if the claim waited for the lock
            s.execute(text("SET statement_timeout = 5000"))
        assert bulk.claim(sessions, run_id, 3) == ids[3:6]
    finally:
        other.rollback()
        other.close()
    assert bulk.claim(sessions, run_id, 10) == ids[:3] + ids[6:]


def test_reprocessing_by_query_keeps_each_claim_with_its_insured(sqlite_url, on_server):
    data = invoice(99)
    first = flows.portal_upload(data, "upload.pdf", "P-2002", sqlite_url)
    out = flows.run_backlog(workers=0, document_ids=[first["document_id"]], db_url=sqlite_url)
    assert out["done"] == 1 and out["changed"]["unchanged"] == 1
    sessions = session_factory(sqlite_url)
    with sessions() as s:
        assert s.execute(select(Claim.document_id, Claim.insured_id)).all() == [
            (first["document_id"], "P-2002")]
        assert s.scalar(select(func.count()).select_from(Result)) == 2


def test_progress_lines_show_rate_eta_and_failures(capsys):
    from pipeline.cli_reprocess import _ProgressBar

    with _ProgressBar() as bar:  # stderr is not a terminal here: plain lines
        assert bar.bar is None
        bar({"total": 10, "done": 0, "error": 0, "failed": 0})
        bar.last_line = 0
        bar({"total": 10, "done": 1, "error": 0, "failed": 0})
        bar.started -= 4.0  # four seconds later, four more handled, one of them failed
        bar.last_line = 0
        bar({"total": 10, "done": 4, "error": 1, "failed": 1})
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0] == "reprocess: 0/10 documents, 0.0 docs/s, ETA ?, 0 failed"
    assert err[-1] == "reprocess: 5/10 documents, 1.0 docs/s, ETA 5 s, 2 failed"


def test_progress_polls_of_a_big_run_take_at_most_a_small_share_of_the_flow(monkeypatch):
    """Counting a run's items gets slower with its size: the bar is updated less often instead."""
    clock = {"now": 0.0}
    polls = []

    class Clock:
        @staticmethod
        def monotonic():
            return clock["now"]

    class Waited:
        def __init__(self, done):
            self.not_done = set() if done else {"f"}

    def fake_wait(futures, timeout):
        clock["now"] += timeout
        return Waited(clock["now"] >= 60)  # the run takes a minute

    def slow_counts(sessions, run_id):  # 0.1 s per count: a run of ~250,000 items
        clock["now"] += 0.1
        polls.append(clock["now"])
        return {"done": 0}

    monkeypatch.setattr(flows, "time", Clock)
    monkeypatch.setattr(flows, "wait", fake_wait)
    monkeypatch.setattr(bulk, "counts", slow_counts)
    monkeypatch.setattr(flows, "_progress", [lambda c: None])
    flows._watch(["f"], None, 1)
    spent = 0.1 * len(polls)
    assert spent <= flows.PROGRESS_SHARE * clock["now"] + 0.2  # one extra: the final count
    assert 8 <= len(polls) <= 14 and polls[-1] >= 60  # still updated every ~5 s, and at the end


def test_prefect_defaults_are_offline_and_quiet():
    env = {k: v for k, v in os.environ.items()
           if k not in ("DO_NOT_TRACK", "PREFECT_SERVER_ANALYTICS_ENABLED")}
    out = subprocess.run([sys.executable, "-c", "import os, pipeline.flows; print(os.environ["
                          "'DO_NOT_TRACK'], os.environ['PREFECT_SERVER_ANALYTICS_ENABLED'], "
                          "os.environ['PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL'])"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ["1", "false", "WARNING"], out.stderr


def test_unreachable_database_is_a_clear_failure(tmp_path, on_server):
    from typer.testing import CliRunner

    from pipeline.cli import app

    docs = make_dir(tmp_path / "docs", 1)
    res = CliRunner().invoke(app, ["reprocess", str(docs), "--workers", "0", "--db",
                                   "postgresql+psycopg://postgres@127.0.0.1:9/nowhere"])
    assert res.exit_code == 1
    assert "reprocess: stopped: OperationalError" in res.stderr
    assert "the database is unreachable" in res.stderr and "run the same command again" in res.stderr


def test_a_claim_holds_about_half_a_second_of_the_workers_own_work():
    assert bulk.claim_size(None) == 1  # not timed yet (the first claim loads the model)
    assert bulk.claim_size(0.05) == 10  # text PDFs: ~50 ms each
    assert bulk.claim_size(2.0) == 1  # scans: one at a time
    assert bulk.claim_size(0.0001) == bulk.MAX_CLAIM == 50


def test_claims_shrink_at_the_end_of_a_run_so_no_worker_waits_on_a_big_one():
    assert bulk.claim_size(0.05, left=10_000, workers=2) == 10  # the time decides
    assert bulk.claim_size(0.05, left=40, workers=2) == 5  # a quarter of each worker's share
    assert bulk.claim_size(0.001, left=18, workers=1) == 4  # quick items so far, maybe scans next
    assert bulk.claim_size(0.05, left=3, workers=2) == 1


def _run_of(url: str, folder: Path) -> tuple:
    sessions = session_factory(url)
    sel = bulk.Selection(paths=[str(folder)])
    run_id, _ = bulk.open_run(sessions, sel)
    return sessions, sel, run_id


def test_workers_claim_pending_items_in_order_each_once(sqlite_url, tmp_path):
    sessions, sel, run_id = _run_of(sqlite_url, make_dir(tmp_path / "docs", 7))
    ids = bulk.pending(sessions, run_id)
    a, b = bulk.claim(sessions, run_id, 3), bulk.claim(sessions, run_id, 3)
    assert a == ids[:3] and b == ids[3:6]
    assert bulk.claim(sessions, run_id, 3) == ids[6:] and bulk.claim(sessions, run_id, 3) == []
    c = bulk.counts(sessions, run_id)  # being processed: still to do
    assert (c["pending"], c["done"], bulk.left(sessions, run_id)) == (7, 0, 7)
    assert not bulk.finish(sessions, run_id)
    assert bulk.release(sessions, run_id, b) == 3  # a worker gives its claim back
    assert bulk.claim(sessions, run_id, 10) == b
    assert bulk.release(sessions, run_id) == 7  # between rounds: every claim is stale
    assert bulk.pending(sessions, run_id) == ids


def test_resuming_a_killed_run_gives_its_claimed_items_back(sqlite_url, tmp_path):
    sessions, sel, run_id = _run_of(sqlite_url, make_dir(tmp_path / "docs", 4))
    bulk.claim(sessions, run_id, 2)  # then the process was killed
    again, resumed = bulk.open_run(sessions, sel)
    assert (again, resumed) == (run_id, True)
    assert len(bulk.pending(sessions, run_id)) == 4


def test_drain_processes_every_item_once_in_claims(sqlite_url, tmp_path):
    sessions, sel, run_id = _run_of(sqlite_url, make_dir(tmp_path / "docs", 5))
    out = bulk.drain(sqlite_url, run_id, sel, size=2)
    assert (out["processed"], out["claims"], out["errors"]) == (5, 3, 0)
    assert bulk.drain(sqlite_url, run_id, sel)["processed"] == 0  # nothing left to claim
    assert counts(sqlite_url) == {"documents": 5, "claims": 5, "results": 5,
                                  "max_results_per_document": 1, "done": 5, "pending": 0}


def test_a_worker_stopped_by_the_database_gives_back_what_it_did_not_finish(sqlite_url, tmp_path,
                                                                            monkeypatch):
    sessions, sel, run_id = _run_of(sqlite_url, make_dir(tmp_path / "docs", 5))
    ids = bulk.pending(sessions, run_id)
    real = bulk.prepare_item

    def flaky(sessions_, item_id, *a):
        if item_id == ids[3]:  # the database stays down from the 4th document on
            raise OperationalError("INSERT", {}, Exception("could not connect to server"))
        return real(sessions_, item_id, *a)

    monkeypatch.setattr(bulk, "prepare_item", flaky)
    monkeypatch.setattr(bulk, "ITEM_RETRY_DELAYS", (0.01,))
    with pytest.raises(OperationalError):
        bulk.drain(sqlite_url, run_id, sel, size=2)
    with sessions() as s:
        states = {i: st for i, st in s.execute(select(BulkItem.id, BulkItem.state)
                                               .where(BulkItem.run_id == run_id))}
    assert [states[i] for i in ids] == ["done", "done", "done", "pending", "pending"]


def test_the_next_round_takes_over_the_claim_of_a_worker_that_died(sqlite_url, tmp_path,
                                                                    on_server, monkeypatch):
    docs = make_dir(tmp_path / "docs", 5)
    real, calls = bulk.drain, []

    def dies_once(db_url, run_id, sel, size=None, workers=1):
        calls.append(run_id)
        if len(calls) == 1:  # a worker process lost after claiming, before saving anything
            bulk.claim(session_factory(db_url), run_id, 3)
            raise RuntimeError("worker lost")
        return real(db_url, run_id, sel, size, workers)

    monkeypatch.setattr(bulk, "drain", dies_once)
    out = flows.run_backlog(workers=0, paths=[str(docs)], db_url=sqlite_url)
    assert len(calls) == 2 and out["finished"] and out["done"] == 5
    assert out["batch_failures"] == ["RuntimeError: worker lost"]
    assert counts(sqlite_url) == {"documents": 5, "claims": 5, "results": 5,
                                  "max_results_per_document": 1, "done": 5, "pending": 0}


def _plan(sessions, query) -> str:
    """SQLite's query plan of a SELECT, as one line."""
    with sessions() as s:
        sql = str(query.compile(s.get_bind(), compile_kwargs={"literal_binds": True}))
        return " ".join(r[-1] for r in s.execute(text("EXPLAIN QUERY PLAN " + sql)))


def test_a_claim_reads_the_first_pending_items_off_an_index(sqlite_url, tmp_path):
    """No scan or sort of a run's items per claim: a backlog of 100,000s stays cheap to claim."""
    sessions, sel, run_id = _run_of(sqlite_url, make_dir(tmp_path / "docs", 2))
    plan = _plan(sessions, bulk.first_pending(run_id, 5))
    assert "USING COVERING INDEX ix_bulk_items_claim" in plan and "TEMP B-TREE" not in plan, plan


def test_the_same_bytes_earlier_in_a_run_are_found_off_an_index(sqlite_url, tmp_path):
    """Not by scanning the run's done items for every document: ~7 ms each at 50,000 done."""
    sessions, sel, run_id = _run_of(sqlite_url, make_dir(tmp_path / "docs", 2))
    plan = _plan(sessions, bulk.earlier_twin(run_id, "ab" * 32))
    assert "INDEX ix_bulk_items_document (run_id=? AND document_id=? AND state=?)" in plan, plan


def test_an_item_missing_from_the_store_is_a_clear_error(sqlite_url):
    with pytest.raises(LookupError, match="bulk item 987654 is not in the store"):
        bulk.process_item(session_factory(sqlite_url), 987654, bulk.Selection(), None, None)


def test_local_workers_run_without_the_dashboard_diagnostics():
    import dask
    from distributed import Client, LocalCluster

    keys = list(flows.LOCAL_WORKER_CONFIG)
    with dask.config.set({k: dask.config.get(k) for k in keys}):  # restored afterwards
        flows.task_runner(2)
        with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as c, \
                Client(c) as client:
            seen = next(iter(client.run(lambda: [dask.config.get(k) for k in keys]).values()))
    assert seen == [flows.LOCAL_WORKER_CONFIG[k] for k in keys]


@pytest.mark.parametrize("workers,threads", [(1, 2), (2, 1), (4, 1)])
def test_local_workers_share_the_cores_for_image_work(monkeypatch, workers, threads):
    from distributed import Client, LocalCluster

    import dask

    monkeypatch.setattr(flows.os, "cpu_count", lambda: 2)
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)  # an earlier Dask nanny may have set it
    keys = list(flows.LOCAL_WORKER_CONFIG)
    with dask.config.set({"distributed.nanny.pre-spawn-environ":  # restored afterwards
                          dict(dask.config.get("distributed.nanny.pre-spawn-environ"))}):
        kw = {**flows.task_runner(workers).cluster_kwargs, "n_workers": 1}
        assert dask.config.get(keys[-1]) is None
        with LocalCluster(**kw) as c, Client(c) as client:
            seen = next(iter(client.run(lambda: (os.environ.get(bulk.THREADS_ENV),
                                                 os.environ.get("OMP_NUM_THREADS"),
                                                 os.environ.get("MALLOC_TRIM_THRESHOLD_"),
                                                 os.environ.get("TOKENIZERS_PARALLELISM"),
                                                 bulk.apply_thread_limit(),
                                                 __import__("cv2").getNumThreads())).values()))
    # Dask's one OpenMP thread is kept; glibc's own trimming instead of Dask's 64 KiB threshold
    assert seen == (str(threads), "1", None, "false", threads, threads)
    assert bulk.THREADS_ENV not in os.environ  # not set in this process


def _gc_state():
    import gc

    return gc.get_threshold()[0], gc.get_freeze_count()


def test_a_worker_settles_its_collector_after_its_first_document_not_its_first_batch(
        sqlite_url, tmp_path, monkeypatch):
    import gc

    docs = make_dir(tmp_path / "docs", 3)
    sessions = session_factory(sqlite_url)
    sel = bulk.Selection(paths=[str(docs)])
    run_id, _ = bulk.open_run(sessions, sel)
    seen = []
    real = bulk.prepare_item

    def spy(*a, **k):
        seen.append(gc.get_threshold()[0])
        return real(*a, **k)

    threshold = gc.get_threshold()
    monkeypatch.setattr(bulk, "in_dask_worker", lambda: True)  # as if in a worker process
    monkeypatch.setattr(bulk, "prepare_item", spy)
    monkeypatch.setattr(bulk, "_gc_settled", False)
    try:
        out = bulk.process_batch(sqlite_url, run_id, bulk.pending(sessions, run_id), sel)
    finally:  # this test process keeps CPython's collector as it was
        gc.unfreeze()
        gc.set_threshold(*threshold)
    assert out["processed"] == 3
    assert seen[0] != bulk.GC_YOUNG and seen[1:] == [bulk.GC_YOUNG, bulk.GC_YOUNG]


def test_the_steady_figures_start_after_the_collector_is_settled(sqlite_url, tmp_path,
                                                                 monkeypatch):
    """Settling the collector after the first document is warm-up, like loading the model: its
    full collection (~0.3 s in a bench worker) is not counted against the documents."""
    sessions, sel, run_id = _run_of(sqlite_url, make_dir(tmp_path / "docs", 3))
    settled = []

    def slow_settle():
        time.sleep(3.0)
        settled.append(True)
        return True

    monkeypatch.setattr(bulk, "in_dask_worker", lambda: True)  # as if in a worker process
    monkeypatch.setattr(bulk, "_gc_settled", False)
    monkeypatch.setattr(bulk, "settle_gc", slow_settle)
    out = bulk.process_batch(sqlite_url, run_id, bulk.pending(sessions, run_id), sel)
    assert settled == [True] and out["processed"] == 3 and out["steady_items"] == 2
    assert out["steady_s"] < 3.0 < out["seconds"]


def test_a_dask_worker_settles_its_garbage_collector_once_the_caller_keeps_its_own(sqlite_url,
                                                                                   tmp_path):
    from distributed import Client, LocalCluster

    docs = make_dir(tmp_path / "docs", 3)
    sessions = session_factory(sqlite_url)
    sel = bulk.Selection(paths=[str(docs)])
    run_id, _ = bulk.open_run(sessions, sel)
    ids = bulk.pending(sessions, run_id)
    before = _gc_state()
    bulk.process_batch(sqlite_url, run_id, ids[:1], sel)  # in this process: nothing changes
    assert _gc_state() == before and before[0] != bulk.GC_YOUNG
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        fresh = next(iter(client.run(_gc_state).values()))
        client.submit(bulk.process_batch, sqlite_url, run_id, ids[1:2], sel, pure=False).result()
        first = next(iter(client.run(_gc_state).values()))
        client.submit(bulk.process_batch, sqlite_url, run_id, ids[2:], sel, pure=False).result()
        second = next(iter(client.run(_gc_state).values()))
        again = next(iter(client.run(bulk.settle_gc).values()))
    assert fresh[0] != bulk.GC_YOUNG and fresh[1] == 0
    assert first[0] == bulk.GC_YOUNG and first[1] > 10_000  # libraries and model frozen
    # once per process: the later batch's garbage is not frozen (frozen objects may still be freed)
    assert second[0] == bulk.GC_YOUNG and second[1] <= first[1] and again is False
    assert counts(sqlite_url)["done"] == 3


def test_a_worker_times_its_reading_against_its_whole_time(sqlite_url, tmp_path, monkeypatch):
    """bench/throughput.py's overhead: after the first item (model loading), the worker's time
    and the part of it spent in read_pages, over the same items, and again from the first group
    that starts after WARM_ITEMS steady items (a group's items are all read before the first is
    saved); summed per worker by the flow."""
    monkeypatch.setattr(bulk, "WARM_ITEMS", 2)
    monkeypatch.setattr(bulk, "GROUP_MAX", 3)  # groups: 1 | 2 3 4 | 5 6
    monkeypatch.setattr(bulk, "GROUP_SECONDS", 1e9)
    sessions, sel, run_id = _run_of(sqlite_url, make_dir(tmp_path / "docs", 6))
    out = bulk.process_batch(sqlite_url, run_id, bulk.pending(sessions, run_id), sel)
    assert out["processed"] == 6 and out["steady_items"] == 5 and out["warm_items"] == 2
    assert 0 < out["steady_read_s"] < out["steady_s"]
    assert 0 < out["warm_read_s"] < out["warm_s"] < out["steady_s"]
    assert out["warm_read_s"] < out["steady_read_s"]
    one = bulk.process_batch(sqlite_url, run_id, [], sel)  # nothing done: no figures
    assert "steady_s" not in one and "warm_s" not in one
    merged = flows._worker_stats([out, dict(out, claims=1)])[out["worker"]]
    assert merged["steady_items"] == 10 and merged["steady_s"] == round(2 * out["steady_s"], 4)
    assert merged["warm_items"] == 4 and merged["warm_read_s"] == round(2 * out["warm_read_s"], 4)


def _payloads(url: str) -> dict:
    with session_factory(url)() as s:
        return {r.document_id: r.payload for r in s.scalars(select(Result))}


def test_a_worker_classifies_what_it_read_in_groups_with_the_results_of_one_by_one(tmp_path,
                                                                                    monkeypatch):
    from models.classify import Classifier

    docs = make_dir(tmp_path / "docs", 6)
    (docs / "zz_copy.pdf").write_bytes((docs / "inv_000.pdf").read_bytes())  # a twin in the group
    (docs / "corrupt.pdf").write_bytes(b"%PDF-1.4 broken")  # first: the worker's first item
    groups: list[int] = []
    real = Classifier.classify_many

    def spy(self, batch):
        groups.append(len(batch))
        return real(self, batch)

    monkeypatch.setattr(Classifier, "classify_many", spy)
    monkeypatch.setattr(bulk, "GROUP_SECONDS", 60.0)
    grouped = f"sqlite:///{tmp_path}/grouped.db"
    sessions, sel, run_id = _run_of(grouped, docs)
    out = bulk.process_batch(grouped, run_id, bulk.pending(sessions, run_id), sel)
    # the first item alone (a file that cannot be read: nothing to classify), then one call for
    # the 6 invoices and the copy, which is read but saved as its twin
    assert groups == [7] and out["processed"] == 8 and out["errors"] == 0
    assert counts(grouped) == {"documents": 7, "claims": 7, "results": 7,
                               "max_results_per_document": 1, "done": 8, "pending": 0}

    groups.clear()
    monkeypatch.setattr(bulk, "GROUP_MAX", 1)
    alone = f"sqlite:///{tmp_path}/alone.db"
    sessions, sel, run_id = _run_of(alone, docs)
    bulk.process_batch(alone, run_id, bulk.pending(sessions, run_id), sel)
    assert groups == [1] * 6  # one by one, the copy is found done before it is read
    assert _payloads(grouped) == _payloads(alone)


def test_a_group_the_classifier_fails_on_is_classified_one_by_one(sqlite_url, tmp_path,
                                                                  monkeypatch):
    from models.classify import Classifier

    real = Classifier.classify_many

    def fails_on_r3(self, batch):
        if any("R-3" in text for text, *_ in batch):
            raise RuntimeError("tokenizer crashed")
        return real(self, batch)

    monkeypatch.setattr(Classifier, "classify_many", fails_on_r3)
    monkeypatch.setattr(bulk, "GROUP_SECONDS", 60.0)
    sessions, sel, run_id = _run_of(sqlite_url, make_dir(tmp_path / "docs", 5))
    bulk.process_batch(sqlite_url, run_id, bulk.pending(sessions, run_id), sel)
    reasons = {p["source"].rsplit("/", 1)[-1]: p["review_reasons"] for p in _payloads(sqlite_url).values()}
    assert ["inv_003.pdf"] == [f for f, r in reasons.items() if "classifier_unavailable" in r]
    assert len(reasons) == 5
