"""The Alembic migrations create exactly the tables the models describe."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from pipeline.db import make_engine, migrate
from pipeline.store import Base


def _check(url):
    engine = make_engine(url)
    migrate(engine)
    migrate(engine)  # idempotent
    import importlib, pkgutil, pipeline

    for mod in pkgutil.iter_modules(pipeline.__path__):
        if mod.name.startswith("store_"):
            importlib.import_module(f"pipeline.{mod.name}")
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert [d for d in diffs if d[0] in ("add_table", "remove_table", "add_column", "remove_column")] == []
    assert {"originals", "documents", "results", "claims", "review_items", "fx_rates"} <= set(
        inspect(engine).get_table_names())
    engine.dispose()


def test_migrations_match_models_sqlite(sqlite_url):
    _check(sqlite_url)


def test_migrations_match_models_postgres(pg_url):
    _check(pg_url)
