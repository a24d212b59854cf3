import os
import socket

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("OMP_THREAD_LIMIT", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

PG_URL = os.environ.get("CLAIMFLOW_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def reads(monkeypatch):
    """How many times a document was read (parsed and its fields extracted): a list, one
    entry per read."""
    from pipeline import process as P

    calls = []
    real = P.read_and_extract

    def counting(data):
        calls.append(1)
        return real(data)

    monkeypatch.setattr(P, "read_and_extract", counting)
    return calls


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path}/claimflow.sqlite"


@pytest.fixture
def pg_url():
    """A clean PostgreSQL schema. Required in CI; skipped elsewhere only when no server answers."""
    if not _pg_reachable():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL at 127.0.0.1:5432 is required in CI and is not reachable")
        pytest.skip("no PostgreSQL server reachable at 127.0.0.1:5432")
    import uuid

    from sqlalchemy import create_engine, text

    schema = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    try:
        yield url
    finally:
        from pipeline import db

        db.dispose_all()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(scope="session")
def fx_template(tmp_path_factory):
    """A SQLite store with the bundled ECB history loaded once; tests copy the file."""
    from pipeline import fx_ecb
    from pipeline.db import session_factory

    path = tmp_path_factory.mktemp("fxtpl") / "t.sqlite"
    engine = session_factory(f"sqlite:///{path}").kw["bind"]
    assert fx_ecb.load_bundled(engine) > 0
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return path
