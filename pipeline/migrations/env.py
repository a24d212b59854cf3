from alembic import context
from sqlalchemy import engine_from_config, pool

import importlib
import pkgutil

import pipeline
from pipeline.store import Base

# Tables of other parts live in pipeline/store_*.py on the same Base: import them all.
for mod in pkgutil.iter_modules(pipeline.__path__):
    if mod.name.startswith("store_"):
        importlib.import_module(f"pipeline.{mod.name}")

config = context.config
target_metadata = Base.metadata


def run() -> None:
    conn = config.attributes.get("connection")
    if conn is not None:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = engine_from_config(config.get_section(config.config_ini_section) or {},
                                prefix="sqlalchemy.", poolclass=pool.NullPool,
                                url=config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run()
