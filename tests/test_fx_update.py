"""`claimflow rates update` and the lazy, concurrent-safe load of the bundled ECB history."""
from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from typer.testing import CliRunner

from pipeline import fx, fx_ecb
from pipeline.cli_rates import rates_app
from pipeline.db import session_factory
from pipeline.store import FxRate

ROOT = Path(__file__).resolve().parents[1]
# business days right after the bundled history (it ends Friday 2026-10-30)
NEWER_CSV = (
    "Date,USD,JPY,THB,\n"
    "2026-11-04,1.1203,176.1,N/A,\n"
    "2026-11-03,1.1190,175.9,37.611,\n"
    "2026-11-02,1.1180,175.72,37.602,\n"
)


def ecb_csv_rate(day: str, cur: str) -> str:
    """A rate read from the bundled file with csv alone (not the module's parser)."""
    with zipfile.ZipFile(io.BytesIO(fx_ecb.bundled_bytes())) as zf:
        rows = csv.DictReader(io.StringIO(zf.read("eurofxref-hist.csv").decode()))
        return next(r[cur] for r in rows if r["Date"] == day)


def bundled_last_day() -> date:
    return max(r[0] for r in fx_ecb.parse(fx_ecb.bundled_bytes()))


@pytest.fixture(autouse=True)
def _fresh(monkeypatch):
    monkeypatch.delenv("CLAIMFLOW_FX_ONLINE", raising=False)
    fx.clear_cache()
    yield
    fx.clear_cache()


@pytest.fixture
def loaded_url(fx_template, tmp_path):
    shutil.copy(fx_template, tmp_path / "t.sqlite")
    return f"sqlite:///{tmp_path}/t.sqlite"


def run(*args):
    result = CliRunner().invoke(rates_app, list(args))
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes else "")


def ecb_count(factory) -> int:
    with factory() as s:
        return s.scalar(select(func.count()).select_from(FxRate).where(FxRate.source == "ECB"))


def test_update_from_csv_extends_the_series(tmp_path, loaded_url):
    assert bundled_last_day() == date(2026, 10, 30)
    url = loaded_url
    factory = session_factory(url)
    with factory() as s:  # before: the bundled series ends on 2026-10-30
        with pytest.raises(fx.NoRate):
            fx.convert(s, Decimal("1"), "USD", date(2026, 11, 3))
    path = tmp_path / "eurofxref-hist.csv"
    path.write_text(NEWER_CSV)
    code, out = run("update", "--file", str(path), "--db", url)
    assert code == 0, out
    assert "8 rates" in out and "8 new" in out and "end on 2026-11-04" in out
    with factory() as s:
        c = fx.convert(s, Decimal("111.90"), "USD", date(2026, 11, 3))
        assert c.as_contract() == {"amount": "100.00", "rate": "1.1190",
                                   "rate_date": "2026-11-03", "source": "ECB"}
        thb = fx.convert(s, Decimal("37.611"), "THB", date(2026, 11, 4))  # N/A: day before
        assert (thb.rate_date, thb.amount) == (date(2026, 11, 3), Decimal("1.00"))
        assert fx.convert(s, Decimal("1"), "USD", date(2026, 10, 31)).rate == Decimal("1.1172")
        with pytest.raises(fx.NoRate):  # Thursday 11-05 is not in any file
            fx.convert(s, Decimal("1"), "USD", date(2026, 11, 5))
    # idempotent; a corrected rate replaces the old one
    code, out = run("update", "--file", str(path), "--db", url)
    assert code == 0 and "0 new, 0 changed" in out
    path.write_text(NEWER_CSV.replace("1.1190", "1.1191"))
    code, out = run("update", "--file", str(path), "--db", url)
    assert code == 0 and "0 new, 1 changed" in out
    with factory() as s:
        assert fx.convert(s, Decimal("1"), "USD", date(2026, 11, 3)).rate == Decimal("1.1191")


def test_update_from_zip_and_daily_format(tmp_path, loaded_url):
    url = loaded_url
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("eurofxref-hist.csv", NEWER_CSV)
    (tmp_path / "hist.zip").write_bytes(buf.getvalue())
    code, out = run("update", "--file", str(tmp_path / "hist.zip"), "--db", url)
    assert code == 0 and "end on 2026-11-04" in out, out
    daily = "Date, USD, JPY, \n5 November 2026, 1.1210, 176.30, \n"  # the ECB daily file's layout
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("eurofxref.csv", daily)
    (tmp_path / "daily.zip").write_bytes(buf.getvalue())
    code, out = run("update", "--file", str(tmp_path / "daily.zip"), "--db", url)
    assert code == 0 and "end on 2026-11-05" in out, out
    with session_factory(url)() as s:
        c = fx.convert(s, Decimal("176.30"), "JPY", date(2026, 11, 5))
        assert c.as_contract() == {"amount": "1.00", "rate": "176.30",
                                   "rate_date": "2026-11-05", "source": "ECB"}


def test_update_refuses_a_file_leaving_business_days_out(tmp_path, loaded_url):
    url = loaded_url
    path = tmp_path / "late.csv"
    path.write_text("Date,USD,\n2026-11-20,1.13,\n")
    code, out = run("update", "--file", str(path), "--db", url)
    assert code == 1 and "2026-10-30" in out and "missing" in out
    with session_factory(url)() as s:
        with pytest.raises(fx.NoRate):
            fx.convert(s, Decimal("1"), "USD", date(2026, 11, 20))


def test_update_refuses_a_file_that_is_not_ecb(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("when,what\n2026-11-02,1\n")
    code, out = run("update", "--file", str(path), "--db", f"sqlite:///{tmp_path}/t.sqlite")
    assert not (tmp_path / "t.sqlite").exists() or ecb_count(session_factory(
        f"sqlite:///{tmp_path}/t.sqlite")) == 0
    assert code == 1 and "Date" in out


def test_update_without_file_loads_the_bundled_history(tmp_path):
    url = f"sqlite:///{tmp_path}/t.sqlite"
    code, out = run("update", "--db", url)
    cells = len(fx_ecb.parse(fx_ecb.bundled_bytes()))
    assert code == 0 and "end on 2026-10-30" in out, out
    assert f"bundled history first ({cells} rates)" in out
    assert ecb_count(session_factory(url)) == len(fx_ecb.parse(fx_ecb.bundled_bytes()))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request):
    if request.param == "sqlite":
        return request.getfixturevalue("loaded_url")
    return request.getfixturevalue("pg_url")


def test_lazy_load_survives_losing_the_race(store_url, monkeypatch):
    """Another process inserted between our check and our insert: IntegrityError is absorbed."""
    url = store_url
    factory = session_factory(url)
    engine = factory.kw["bind"]
    fx_ecb.load_bundled(engine)
    assert ecb_count(factory) > 0
    monkeypatch.setattr(fx_ecb, "span", lambda conn, source="ECB": (None, None))
    assert fx_ecb.load_bundled(engine) == 0
    monkeypatch.undo()
    assert ecb_count(factory) == len(fx_ecb.parse(fx_ecb.bundled_bytes()))


CHILD = """
import sys
from datetime import date
from decimal import Decimal
from pipeline import fx
from pipeline.db import session_factory
with session_factory(sys.argv[1])() as s:
    print(fx.convert(s, Decimal("100"), "USD", date(2024, 3, 8)).as_contract()["rate"])
"""


def _two_processes_load_at_once(url):
    factory = session_factory(url)  # migrated here, so the children only race on the rates
    procs = [subprocess.Popen([sys.executable, "-c", CHILD, url], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    expected = ecb_csv_rate("2024-03-08", "USD")
    assert [o[0].strip() for o in outs] == [expected, expected]
    assert ecb_count(factory) == len(fx_ecb.parse(fx_ecb.bundled_bytes()))


def test_two_processes_load_at_once_sqlite(tmp_path):
    _two_processes_load_at_once(f"sqlite:///{tmp_path}/t.sqlite")


@pytest.mark.postgres
def test_two_processes_load_at_once_postgres(pg_url):
    _two_processes_load_at_once(pg_url)
    with session_factory(pg_url)() as s:
        c = fx.convert(s, Decimal("1234.56"), "THB", date(2025, 4, 18))
    assert (c.rate_date, c.source) == (date(2025, 4, 17), "ECB")


def test_lazy_load_inside_a_writing_sqlite_transaction(tmp_path):
    """A caller holding SQLite's write lock gets the load inside its own transaction (no lock
    wait); if it rolls back, the in-process cache does not pretend the rates are stored."""
    factory = session_factory(f"sqlite:///{tmp_path}/t.sqlite")
    with factory() as s:
        s.add(FxRate(currency="KES", day=date(2024, 3, 8), source="manual", rate="141"))
        s.flush()
        fx.convert(s, Decimal("10"), "USD", date(2024, 3, 8))
        s.rollback()
    assert ecb_count(factory) == 0
    with factory() as s:  # THB was never loaded into the in-process cache
        s.add(FxRate(currency="KES", day=date(2024, 3, 9), source="manual", rate="141"))
        s.flush()  # the caller holds SQLite's write lock: the load joins its transaction
        assert fx.convert(s, Decimal("10"), "THB", date(2024, 3, 8)).source == "ECB"
        s.commit()
    assert ecb_count(factory) == len(fx_ecb.parse(fx_ecb.bundled_bytes()))


def test_rates_stored_by_another_process_are_found_after_a_miss(loaded_url, monkeypatch):
    factory = session_factory(loaded_url)
    with factory() as s:
        with pytest.raises(fx.NoRate):
            fx.convert(s, Decimal("1"), "USD", date(2026, 11, 2))
    other = create_engine(loaded_url)  # another process's connection: no cache to clear here
    with other.begin() as conn:
        conn.execute(FxRate.__table__.insert(), [
            {"currency": "USD", "day": date(2026, 11, 2), "source": "ECB", "rate": "1.118"}])
    other.dispose()
    with factory() as s:
        with pytest.raises(fx.NoRate):  # checked a moment ago: no new look yet
            fx.convert(s, Decimal("1"), "USD", date(2026, 11, 2))
        monkeypatch.setattr(fx, "RECHECK_SECONDS", 0.0)
        c = fx.convert(s, Decimal("1.118"), "USD", date(2026, 11, 2))
    assert (c.amount, c.rate_date) == (Decimal("1.00"), date(2026, 11, 2))
