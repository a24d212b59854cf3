"""CLI of the review app: `serve`, `users add|api-key`, `export-corrections`."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

DB_HELP = "SQLAlchemy URL of the store (default: $CLAIMFLOW_DB or a SQLite file in the user data dir)"


def serve_command(
    host: str = typer.Option("127.0.0.1", "--host", help="address to listen on"),
    port: int = typer.Option(8000, "--port", help="TCP port"),
    db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
    workers: Optional[int] = typer.Option(None, "--workers",
                                          help="background processing threads (default 2)"),
) -> None:
    """Run the reviewers' web app and the portal upload API."""
    import uvicorn

    from review.app import Settings, create_app

    settings = Settings()
    if workers is not None:
        settings.workers = workers
    uvicorn.run(create_app(db, settings), host=host, port=port, log_level="warning",
                access_log=False)


users_app = typer.Typer(no_args_is_help=True, help="Reviewer accounts and upload-API keys")


@users_app.command("add")
def add_user(
    name: str = typer.Argument(..., help="login name"),
    role: str = typer.Option(..., "--role", help="reviewer | supervisor"),
    password: Optional[str] = typer.Option(None, "--password",
                                           help="the password (prompted when not given)"),
    db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Add a reviewer or supervisor account (password hashed with argon2)."""
    from pipeline.db import session_factory
    from review.auth import add_user as add

    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with session_factory(db).begin() as session:
            add(session, name, role, password)
    except ValueError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2)
    typer.echo(f"added {role} {name}", err=True)


@users_app.command("api-key")
def api_key(
    name: str = typer.Argument(..., help="who uses the key, e.g. 'portal'"),
    insured_id: Optional[str] = typer.Option(None, "--insured-id",
                                             help="a key for this insured person only; without "
                                                  "it: a portal key that names the person per call"),
    db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Create an upload-API key; prints it once on stdout (only its hash is stored)."""
    from pipeline.db import session_factory
    from review.auth import new_api_key

    with session_factory(db).begin() as session:
        key = new_api_key(session, name, insured_id)
    typer.echo(key)


def export_corrections_command(
    out: Optional[Path] = typer.Option(None, "--out", help="file to write (default: stdout)"),
    db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Write reviewers' corrections as JSON lines (labelled examples for retraining)."""
    from pipeline.db import session_factory
    from review.export import corrections

    fh = open(out, "w", encoding="utf-8") if out else sys.stdout
    n = 0
    try:
        with session_factory(db)() as session:
            for row in corrections(session):
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
                n += 1
    finally:
        if out:
            fh.close()
    typer.echo(f"{n} corrections", err=True)
