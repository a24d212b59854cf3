"""The upload workers run their flows on one Prefect server that stops with the app."""
import time

import psutil
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from pipeline.store_review import Upload

from review import auth
from review.app import Settings, create_app
from review.demo import migrated_sqlite
from tests.helpers import GERMAN_PHYSIO, text_pdf


def prefect_servers_of_this_process() -> set[int]:
    return {p.pid for p in psutil.Process().children(recursive=True)
            if "prefect.server.api.server:create_app" in " ".join(p.cmdline())}


@pytest.mark.slow
def test_upload_flows_use_one_managed_prefect_server_that_stops_with_the_app(tmp_path, monkeypatch):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    before = prefect_servers_of_this_process()  # e.g. an earlier test's in-process server
    app = create_app(migrated_sqlite(tmp_path), Settings(workers=2))
    with app.state.sessions.begin() as s:
        key = auth.new_api_key(s, "portal", "P-9")
    with TestClient(app) as client:
        managed = app.state.prefect_server.process.pid
        assert prefect_servers_of_this_process() == before | {managed}
        for lines in (GERMAN_PHYSIO, GERMAN_PHYSIO[:-1]):
            r = client.post("/api/v1/documents", files={"file": ("a.pdf", text_pdf(lines))},
                            data={"insured_id": "P-9"}, headers={"X-API-Key": key})
            assert r.status_code == 202, r.text
        deadline = time.monotonic() + 120
        states: list[str] = []
        while time.monotonic() < deadline:
            with app.state.sessions() as s:
                states = list(s.scalars(select(Upload.state)))
            if states and all(st in ("done", "failed") for st in states):
                break
            time.sleep(0.5)
        assert states == ["done", "done"]
        # no ephemeral server per flow call
        assert prefect_servers_of_this_process() == before | {managed}
    assert prefect_servers_of_this_process() == before
