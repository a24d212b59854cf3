"""Engine, sessions and schema migrations for the store."""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"


def default_url() -> str:
    """`CLAIMFLOW_DB`, else a SQLite file under the user's data directory."""
    url = os.environ.get("CLAIMFLOW_DB")
    if url:
        return url
    from platformdirs import user_data_dir

    folder = Path(user_data_dir("claimflow"))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'claimflow.sqlite'}"


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA synchronous=NORMAL")  # safe with WAL against crashes; not power loss
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def make_engine(url: str | None = None) -> Engine:
    url = url or default_url()
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    return engine


def alembic_config(url: str):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (idempotent)."""
    from alembic import command

    with engine.begin() as conn:
        cfg = alembic_config(engine.url.render_as_string(hide_password=False))
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")


@lru_cache(maxsize=16)
def _engine_for(url: str) -> Engine:
    engine = make_engine(url)
    migrate(engine)
    _ENGINES.append(engine)
    return engine


def session_factory(url: str | None = None) -> sessionmaker[Session]:
    """A sessionmaker bound to a migrated engine for `url` (cached per URL)."""
    return sessionmaker(bind=_engine_for(url or default_url()), expire_on_commit=False)


def dispose_all() -> None:
    """Close every cached engine (tests that drop their database call this)."""
    for engine in list(_open_engines()):
        engine.dispose()
    _engine_for.cache_clear()


def _open_engines():
    # lru_cache keeps no public view of its values; track them on creation instead.
    return _ENGINES


_ENGINES: list[Engine] = []
