"""`claimflow reprocess`: the bulk backlog flow with a progress bar and a summary of changes."""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Optional

import typer

DB_HELP = "SQLAlchemy URL of the store (default: $CLAIMFLOW_DB or a SQLite file in the user data dir)"


def reprocess_command(
    paths: Optional[list[str]] = typer.Argument(None, help="files or directories (walked recursively)"),
    query: Optional[str] = typer.Option(
        None, "--query", help="store query, e.g. 'model_version != current', "
        "'review_queued < 2026-11-01', 'status = failed and pipeline_version < 0.2' "
        "(fields: model_version pipeline_version rules_version status review_queued processed "
        "insured_id error; 'all' for every document)"),
    document_id: Optional[list[str]] = typer.Option(None, "--document-id",
                                                    help="a stored document id (repeatable)"),
    workers: int = typer.Option(2, "--workers", min=0,
                                help="local worker processes (0: in this process)"),
    dask_address: Optional[str] = typer.Option(None, "--dask-address",
                                               help="run on this Dask scheduler, tcp://host:port"),
    db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
    insured_file: Optional[Path] = typer.Option(None, "--insured-file",
                                                help="one insured person for every document"),
    skip_current: bool = typer.Option(False, "--skip-current",
                                      help="skip documents already processed with these versions"),
    batch_size: Optional[int] = typer.Option(
        None, "--batch-size", min=1,
        help="items a worker claims at a time (default: about 0.5 s of its work)"),
    reread: bool = typer.Option(
        False, "--reread", help="read every document again (parse/OCR), even when its current "
        "result kept a reading made by this same reader version (default: start from that)"),
    as_json: bool = typer.Option(False, "--json", help="print the summary as one JSON object"),
) -> None:
    """Reprocess a backlog in parallel, checkpointed: the same command resumes a killed run."""
    from pipeline.bulk_query import QueryError, parse

    if not (paths or query or document_id):
        raise typer.BadParameter("give PATHs, --query or --document-id")
    if query:
        try:
            parse(query)
        except QueryError as e:
            raise typer.BadParameter(str(e), param_hint="--query") from None
    from pipeline.db import default_url

    _quiet_logs()
    db_url = db or default_url()
    try:
        summary = run(paths=list(paths or []), document_ids=list(document_id or []), query=query,
                      db_url=db_url, force=not skip_current,
                      insured_file=str(insured_file) if insured_file else None, workers=workers,
                      dask_address=dask_address, batch_size=batch_size, reread=reread)
    except Exception as e:  # the run could not start or its bookkeeping failed: nothing is lost
        from pipeline.bulk import transient

        hint = "; the database is unreachable" if transient(e) else ""
        typer.echo(f"reprocess: stopped: {type(e).__name__}: {e}{hint}. Finished documents are "
                   "kept; run the same command again to resume", err=True)
        raise typer.Exit(1) from None
    if as_json:
        sys.stdout.write(json.dumps(summary, default=str) + "\n")
    else:
        typer.echo(describe(summary))
    if not summary["finished"]:
        typer.echo(f"reprocess: {summary['pending']} documents not processed yet "
                   f"({'; '.join(summary['batch_failures'][-1:]) or 'see the log'}); "
                   "run the same command again to resume", err=True)
        raise typer.Exit(1)


def _quiet_logs() -> None:
    """Only records at the configured level (CLAIMFLOW_LOG, default WARNING) reach stderr:
    Dask and Prefect set INFO on their own loggers, which would otherwise pass the root handler."""
    import logging

    root = logging.getLogger()
    for handler in root.handlers:
        handler.setLevel(max(handler.level, root.getEffectiveLevel()))
    if root.getEffectiveLevel() > logging.INFO:
        for name in ("distributed", "distributed.nanny", "distributed.scheduler", "distributed.worker"):
            logging.getLogger(name).setLevel(logging.ERROR)


def run(workers: int, dask_address: str | None, **kw) -> dict:
    """The backlog flow with a shared Prefect server for the workers and a progress bar."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from pipeline import flows
    from pipeline.bulk_server import LocalServer

    with LocalServer() as api_url, temporary_settings({PREFECT_API_URL: api_url}), \
            _ProgressBar() as hook:
        flows._progress.append(hook)
        before = os.environ.get("PREFECT_API_URL")
        os.environ["PREFECT_API_URL"] = api_url  # local worker processes inherit it
        try:
            return flows.run_backlog(workers=workers, dask_address=dask_address, **kw)
        finally:
            flows._progress.remove(hook)
            if before is None:
                os.environ.pop("PREFECT_API_URL", None)
            else:
                os.environ["PREFECT_API_URL"] = before


class _ProgressBar:
    """documents/s, ETA and failures on stderr: a rich bar on a terminal, else a line every 5 s."""

    def __init__(self):
        from rich.console import Console

        self.console = Console(stderr=True)
        self.started = time.monotonic()
        self.first_done: int | None = None
        self.last_line = 0.0
        self.bar = None

    def __enter__(self):
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                                   TimeRemainingColumn)

        if self.console.is_terminal:
            self.bar = Progress(TextColumn("reprocess"), BarColumn(), MofNCompleteColumn(),
                                TextColumn("{task.fields[rate]:.1f} docs/s"), TextColumn("ETA"),
                                TimeRemainingColumn(), TextColumn("failed {task.fields[failed]}"),
                                console=self.console, transient=False)
            self.bar.start()
            self.task = self.bar.add_task("reprocess", total=None, rate=0.0, failed=0)
        return self

    def __call__(self, c: dict) -> None:
        handled = c["done"] + c["error"]
        if self.first_done is None and handled > 0:  # the rate starts once workers are warm
            self.first_done, self.started = handled, time.monotonic()
        elapsed = max(1e-6, time.monotonic() - self.started)
        rate = (handled - self.first_done) / elapsed if self.first_done is not None else 0.0
        failures = c["failed"] + c["error"]
        if self.bar is not None:
            self.bar.update(self.task, total=c["total"], completed=handled, rate=rate,
                            failed=failures)
        elif time.monotonic() - self.last_line >= 5 or handled == c["total"]:
            self.last_line = time.monotonic()
            eta = f"{(c['total'] - handled) / rate:.0f} s" if rate > 0 else "?"
            self.console.print(f"reprocess: {handled}/{c['total']} documents, {rate:.1f} docs/s, "
                               f"ETA {eta}, {failures} failed", highlight=False)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()


def describe(s: dict) -> str:
    ch = s["changed"]
    lines = [
        f"run {s['run_id']}{' (resumed)' if s['resumed'] else ''}: {s['done']}/{s['total']} "
        f"documents: {s['auto_processed']} auto-processed, {s['needs_review']} queued for review, "
        f"{s['failed']} failed, {s['error']} errors, {s['pending']} pending",
        f"changes against the previous results: {ch['decision']} decisions, {ch['amount']} "
        f"amounts, {ch['status']} statuses, {ch['fields']} with other fields changed; "
        f"{ch['unchanged']} unchanged, {ch['new']} new",
    ]
    if s.get("readings_reused"):
        lines.append(f"{s['readings_reused']} documents started from their stored reading (same "
                     "reader version: not parsed or OCR-ed again; --reread to read them again)")
    for e in s["errors"][:10]:
        lines.append(f"error: {e['ref']}: {e['error']}")
    return "\n".join(lines)
