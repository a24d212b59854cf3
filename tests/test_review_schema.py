"""The upload API behaves as its OpenAPI schema says (schemathesis against the ASGI app)."""
import tempfile

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from schemathesis.specs.openapi.checks import positive_data_acceptance

from review import auth
from review.app import Settings, create_app
from review.demo import migrated_sqlite

_dir = tempfile.mkdtemp(prefix="claimflow-schema-")
app = create_app(migrated_sqlite(_dir), Settings(workers=0, max_upload_bytes=4096),
                 processor=lambda *a: {})
with app.state.sessions.begin() as _s:
    KEY = auth.new_api_key(_s, "insured", "P-1")
    PORTAL = auth.new_api_key(_s, "portal", None)

schema = schemathesis.openapi.from_asgi("/openapi.json", app)


def test_schema_documents_the_api():
    raw = schema.raw_schema
    assert set(raw["paths"]) == {"/api/v1/documents", "/api/v1/documents/{document_id}"}
    post = raw["paths"]["/api/v1/documents"]["post"]
    assert {"200", "202", "401", "413", "415", "422"} <= set(post["responses"])
    assert raw["components"]["securitySchemes"]["APIKeyHeader"]["name"] == "X-API-Key"


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.parametrize("key", [KEY, PORTAL, "cf_unknown"], ids=["insured", "portal", "bad"])
def test_api_conforms_to_schema(case, key):
    # Content sniffing (415) and the empty-file rule (400) cannot be written in OpenAPI, so
    # "schema-valid data must be accepted" does not hold by design; every other check runs.
    case.call_and_validate(headers={"X-API-Key": key}, excluded_checks=[positive_data_acceptance])


def test_accepted_and_duplicate_answers_match_the_schema():
    from review.demo import invoice_png

    data = invoice_png({"total": "1.00"}, salt="schema", size=(100, 60))[0]
    op = schema["/api/v1/documents"]["POST"]
    first = op.Case(body={"file": data}, media_type="multipart/form-data")
    assert first.call_and_validate(headers={"X-API-Key": KEY}).status_code == 202
    again = op.Case(body={"file": data}, media_type="multipart/form-data")
    r = again.call_and_validate(headers={"X-API-Key": KEY})
    assert r.status_code == 200
    doc = r.json()["document_id"]
    get = schema["/api/v1/documents/{document_id}"]["GET"].Case(path_parameters={"document_id": doc})
    assert get.call_and_validate(headers={"X-API-Key": KEY}).json()["upload_state"] == "queued"
