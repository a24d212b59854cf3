"""The `claimflow` command line (see ../shared/spec/contract.md). JSON on stdout, logs on stderr."""
from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import Optional

import typer

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Medical invoices in, reimbursement decisions out.")

DB_HELP = "SQLAlchemy URL of the store (default: $CLAIMFLOW_DB or a SQLite file in the user data dir)"


def expand(paths: list[str]) -> list[str]:
    """Files as given; directories walked recursively in sorted order. Nothing is skipped."""
    out: list[str] = []
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, files in os.walk(p):
                dirs.sort()
                out.extend(os.path.join(root, f) for f in sorted(files))
        else:
            out.append(p)
    return out


def load_insured(path: Optional[Path]):
    from pipeline.process import Insured

    if path is None:
        return None
    from coverage.insured import InsuredError, load_insured as load

    try:
        return Insured(person=load(str(path)))
    except InsuredError as e:
        logging.getLogger("claimflow").error("insured file %s: %s", path, e)
        return Insured(error_field=e.field, error_message=str(e))


@app.command()
def process(
    paths: list[str] = typer.Argument(..., help="files or directories (walked recursively)"),
    db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
    insured_file: Optional[Path] = typer.Option(None, "--insured-file",
                                                help="the insured person (JSON or YAML)"),
    as_json: bool = typer.Option(False, "--json", help="one JSON object per document on stdout"),
    force: bool = typer.Option(False, "--force", help="reprocess bytes already processed"),
    reread: bool = typer.Option(False, "--reread", help=(
        "read files processed before again, even when their current result kept a reading "
        "made by this same reader version (default: start from that)")),
) -> None:
    """Read, classify, convert and evaluate invoices; auto-process or queue them for review."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from pipeline.db import session_factory
    from pipeline.process import process_file

    err = Console(stderr=True)
    from pipeline.process import rules_version

    from pipeline.routing import RoutingConfig

    try:
        rules_version()  # a malformed policy table stops the command before any document
        cfg = RoutingConfig.load()  # once, not per document
    except Exception as e:
        err.print(f"[red]cannot start: {e}[/red]")
        raise typer.Exit(2)
    files = expand(paths)
    sessions = session_factory(db)
    insured = load_insured(insured_file)
    counts = {"auto_processed": 0, "needs_review": 0, "failed": 0}
    stats: dict = {}
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=err, transient=True,
                  disable=not err.is_terminal) as bar:
        task = bar.add_task("processing", total=len(files))
        for path in files:
            result = process_file(path, sessions, insured, force=force, reread=reread, cfg=cfg,
                                  stats=stats)
            counts[result["status"]] += 1
            if as_json:
                sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
                sys.stdout.flush()
            else:
                _print_human(result)
            bar.advance(task)
    err.print(f"{len(files)} documents: {counts['auto_processed']} auto-processed, "
              f"{counts['needs_review']} queued for review, {counts['failed']} failed")
    if stats.get("reused"):
        err.print(f"{stats['reused']} started from their stored reading (same reader version; "
                  "--reread reads them again)")


def _print_human(r: dict) -> None:
    f = r["fields"]
    if r["status"] == "failed":
        line = f"FAILED  {r['source']}: {r['error']['code']}: {r['error']['message']}"
    else:
        eur = (r.get("eur") or {}).get("amount")
        line = (f"{r['status']:<14} {r['source']}: {f['invoice_date']} {f['total_amount']} "
                f"{f['currency']} ({'EUR ' + eur if eur else 'no EUR'}) {f['country']} "
                f"{f['treatment_type']}/{f['setting']}")
        if r["review_reasons"]:
            line += "  [" + ", ".join(r["review_reasons"]) + "]"
        if r.get("coverage"):
            line += f"  coverage: {r['coverage']['decision']} EUR {r['coverage']['reimbursed_eur']}"
    typer.echo(line)


@app.command()
def evaluate(
    insured_file: Path = typer.Option(..., "--insured-file", help="the insured person (JSON or YAML)"),
    claim_file: Path = typer.Option(..., "--claim-file", help="the extracted `fields` object"),
    db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Run only the coverage evaluator on already-extracted fields; prints the coverage object."""
    from pipeline.cli_evaluate import evaluate_command

    evaluate_command(insured_file=insured_file, claim_file=claim_file, db=db)


from pipeline.cli_rates import rates_app  # noqa: E402
from pipeline.cli_reprocess import reprocess_command  # noqa: E402
from pipeline.cli_review import export_corrections_command, serve_command, users_app  # noqa: E402

app.add_typer(rates_app, name="rates", help="FX rates in the store (ECB, online, pegs)")
app.add_typer(users_app, name="users", help="Reviewer accounts and upload-API keys")
app.command("serve")(serve_command)
app.command("export-corrections")(export_corrections_command)
app.command("reprocess")(reprocess_command)


def main() -> None:
    logging.basicConfig(level=os.environ.get("CLAIMFLOW_LOG", "WARNING"), stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    app()


if __name__ == "__main__":
    main()
