"""`claimflow evaluate --insured-file F --claim-file C [--db URL]`: coverage of already-extracted fields.

The claim file (JSON or YAML) is the contract's `fields` object, optionally with "facts" inside it,
or a mapping {"fields": {...}, "facts": {...}, "document_id": "..."}. Without document_id the
document is identified by a digest of the fields (facts excluded), so answering a reviewer's
question and evaluating again replaces the first evaluation's usage instead of adding to it.
"""
from __future__ import annotations

import hashlib
import json
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Optional

import typer

from coverage.claim import ClaimError, parse_claim
from coverage.insured import InsuredError, load_insured, parse_text
from coverage.tables import TableError, tables


def _fx():
    from pipeline import fx

    return fx


def _fail(message: str, code: int = 2):
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def read_claim(path: Path) -> tuple[dict, dict | None, str]:
    """(fields, facts, document_id) from a claim file; raises ClaimError naming the field."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ClaimError("file", f"cannot read {path}: {e}") from None
    data = parse_text(text, ClaimError)
    if not isinstance(data, dict):
        raise ClaimError("fields", "the claim file is not a mapping")
    if isinstance(data.get("fields"), dict):
        fields, facts, doc = data["fields"], data.get("facts", data["fields"].get("facts")), data.get("document_id")
    else:
        fields, facts, doc = data, data.get("facts"), data.get("document_id")
    fields = {k: v for k, v in fields.items() if k not in ("facts", "document_id")}
    parse_claim(fields, facts)  # validate before touching the database
    if not doc:
        canon = json.dumps(fields, sort_keys=True, default=str, separators=(",", ":"))
        doc = hashlib.sha256(canon.encode()).hexdigest()
    return fields, facts, str(doc)


def evaluate_command(
    insured_file: Path = typer.Option(..., "--insured-file", help="Insured person (JSON or YAML)."),
    claim_file: Path = typer.Option(..., "--claim-file", help="The contract's fields (+ optional facts)."),
    db: Optional[str] = typer.Option(None, "--db", help="SQLAlchemy URL of the store."),
) -> None:
    """Evaluate coverage of one claim and print the coverage object as one JSON line."""
    try:
        tables()
    except TableError as e:
        _fail(f"policy table {e}", 3)
    try:
        person = load_insured(insured_file)
    except InsuredError as e:
        _fail(f"insured file {insured_file}: field {e.field}: {e.message}")
    try:
        fields, facts, document_id = read_claim(Path(claim_file))
    except ClaimError as e:
        _fail(f"claim file {claim_file}: field {e.field}: {e.message}")
    from pipeline.coverage_service import evaluate_claim
    from pipeline.db import session_factory

    sessions = session_factory(db)
    with sessions.begin() as session:
        from pipeline import usage

        usage.lock(session, person.insured_id)  # before any read: SQLite cannot upgrade a stale read
        fx = _fx()
        detail = None
        try:
            eur = fx.convert(session, Decimal(str(fields["total_amount"])), str(fields["currency"]).upper(),
                             date.fromisoformat(str(fields["invoice_date"])))
        except fx.NoRate as e:
            eur, detail = None, getattr(e, "detail", None) or str(e)
        coverage = evaluate_claim(session, person, fields, eur, document_id, facts=facts,
                                  no_rate_detail=detail)
    sys.stdout.write(json.dumps(coverage, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def main() -> None:  # `python -m pipeline.cli_evaluate ...` for use before the lead mounts it
    app = typer.Typer(add_completion=False)
    app.command()(evaluate_command)
    app()


if __name__ == "__main__":
    main()
