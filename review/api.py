"""The upload API the insurer's portal calls (`/api/v1`). Errors: {"error": {"code", "message"}}.

Access: `X-API-Key` (see review/auth.py for per-insured and portal keys). A document another
insured person uploaded answers 404, exactly like a document that does not exist.
"""
from __future__ import annotations

import hashlib
import re
import time
from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends, File, Form, Header, Request, Security, UploadFile
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from pipeline.process import store_original
from pipeline.store import Document, Result, ReviewItem
from pipeline.store_review import ApiKey, Upload, ReviewOutcome
from review.auth import aware, find_api_key

INSURED_RE = re.compile(r"^[A-Za-z0-9._\-]{1,64}$")

key_header = APIKeyHeader(name="X-API-Key", auto_error=False,
                          description="Upload-API key: one insured person's, or a portal key.")


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict | None = None):
        self.status, self.code, self.message, self.headers = status, code, message, headers


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    error: ErrorDetail


class Accepted(BaseModel):
    document_id: str
    status_url: str
    upload_state: Literal["queued", "running", "done", "failed"]
    duplicate: bool


class ReviewState(BaseModel):
    item_id: int
    state: str
    reasons: list[str]
    decision: str | None = None
    decision_reason: str | None = None
    reviewer: str | None = None
    decided_at: datetime | None = None
    fields: dict[str, Any] | None = None
    eur: dict[str, Any] | None = None
    coverage: dict[str, Any] | None = None


class DocumentState(BaseModel):
    document_id: str
    insured_id: str
    filename: str
    received_at: datetime
    upload_state: Literal["queued", "running", "done", "failed"]
    upload_error: str | None
    status_url: str
    result: dict[str, Any] | None
    review: ReviewState | None


def errors(*codes: int) -> dict:
    text = {400: "Bad request", 401: "Missing or unknown API key", 403: "Not allowed for this key",
            404: "No such document for this insured person", 413: "File too large",
            415: "Not a supported file type (sniffed from the content)",
            422: "Invalid request fields", 503: "Processing backlog full; retry later"}
    return {c: {"model": ErrorBody, "description": text[c]} for c in codes}


KEY_CACHE_SECONDS = 10.0  # a revoked key stops working within this time


def api_key(request: Request, key: str | None = Security(key_header)) -> ApiKey:
    cache = request.app.state.__dict__.setdefault("key_cache", {})
    hit = cache.get(key) if key else None
    if hit is not None and hit[1] > time.monotonic():
        return hit[0]
    with request.app.state.sessions() as session:
        row = find_api_key(session, key)
        if row is None:
            raise ApiError(401, "unauthorized", "a valid X-API-Key header is required",
                           {"WWW-Authenticate": "ApiKey"})
        session.expunge(row)
    if len(cache) > 10_000:
        cache.clear()
    cache[key] = (row, time.monotonic() + KEY_CACHE_SECONDS)
    return row


def backlog(request: Request, session) -> int:
    """Queued uploads, counted at most once a second."""
    state = request.app.state.__dict__.setdefault("backlog", [0, 0.0])
    if time.monotonic() - state[1] > 1.0:
        state[0] = session.scalar(select(func.count()).select_from(Upload)
                                  .where(Upload.state == "queued"))
        state[1] = time.monotonic()
    else:
        state[0] += 1
    return state[0]


def status_url(request: Request, document_id: str) -> str:
    return f"/api/v1/documents/{document_id}"


def scoped_insured(key: ApiKey, given: str | None) -> str:
    """The insured person a request acts for: the key's own, or the one a portal key names."""
    if key.insured_id:
        if given and given != key.insured_id:
            raise ApiError(403, "insured_mismatch", "this API key belongs to another insured person")
        return key.insured_id
    if not given:
        raise ApiError(422, "missing_insured_id",
                       "a portal key must name the insured person (insured_id / X-Insured-Id)")
    if not INSURED_RE.match(given):
        raise ApiError(422, "invalid_insured_id", "insured_id: 1-64 letters, digits, '.', '_' or '-'")
    return given


router = APIRouter(prefix="/api/v1", tags=["documents"])


@router.post("/documents", status_code=202, response_model=Accepted,
             responses={200: {"model": Accepted, "description": "Same bytes for the same insured "
                                                                "person: the existing document"},
                        202: {"description": "Stored and queued for processing",
                              "headers": {"Location": {"schema": {"type": "string"}}}},
                        **errors(400, 401, 403, 413, 415, 422, 503)})
def upload_document(request: Request, file: UploadFile = File(..., description="the invoice"),
                    insured_id: str | None = Form(None, description="required with a portal key"),
                    key: ApiKey = Depends(api_key)):
    """Store the original and start processing in the background; answers at once."""
    settings = request.app.state.settings
    insured = scoped_insured(key, insured_id)
    data = file.file.read(settings.max_upload_bytes + 1)
    if len(data) > settings.max_upload_bytes:
        raise ApiError(413, "too_large", f"the file is larger than the limit of "
                                         f"{settings.max_upload_bytes} bytes")
    if not data:
        raise ApiError(400, "empty_file", "the uploaded file is empty")
    kind = sniff(data)
    digest = hashlib.sha256(data).hexdigest()
    sessions = request.app.state.sessions
    with sessions() as session:
        found = _existing(session, digest, insured)
        if found is not None:
            return JSONResponse(_accepted(request, found, True), status_code=200)
        if backlog(request, session) >= settings.max_backlog:
            raise ApiError(503, "busy", "too many documents waiting; retry later",
                           {"Retry-After": "30"})
    name = (file.filename or f"upload.{kind}")[-200:]
    try:
        with sessions.begin() as session:
            store_original(session, data, digest)
            session.flush()
            row = Upload(document_id=digest, insured_id=insured, api_key_id=key.id, filename=name,
                         state="queued", attempts=0)
            session.add(row)
    except IntegrityError:  # the same upload (or original) raced in: answer with what is stored
        with sessions() as session:
            found = _existing(session, digest, insured)
        if found is None:
            raise
        return JSONResponse(_accepted(request, found, True), status_code=200)
    request.app.state.workers.notify()
    url = status_url(request, digest)
    return JSONResponse(_accepted(request, row, False), status_code=202, headers={"Location": url})


def sniff(data: bytes) -> str:
    from extractors.sniff import sniff as sniff_bytes
    from extractors.types import ExtractionError

    try:
        return sniff_bytes(data[:4096])
    except ExtractionError as e:
        raise ApiError(415, e.code, e.message)


def _existing(session, digest: str, insured: str) -> Upload | None:
    return session.scalar(select(Upload).where(Upload.document_id == digest,
                                               Upload.insured_id == insured))


def _accepted(request: Request, row: Upload, duplicate: bool) -> dict:
    return {"document_id": row.document_id, "status_url": status_url(request, row.document_id),
            "upload_state": row.state, "duplicate": duplicate}


@router.get("/documents/{document_id}", response_model=DocumentState,
            responses=errors(401, 403, 404, 422))
def get_document(request: Request, document_id: str,
                 x_insured_id: str | None = Header(None, description="with a portal key: the "
                                                                     "insured person asking"),
                 key: ApiKey = Depends(api_key)):
    """The contract's result object (null until processed) and the review state."""
    insured = scoped_insured(key, x_insured_id)
    with request.app.state.sessions() as session:
        up = _existing(session, document_id, insured)
        if up is None:
            raise ApiError(404, "not_found", "no such document for this insured person")
        doc = session.get(Document, document_id)
        result = None
        if doc is not None and doc.current_result_id is not None:
            result = dict(session.get(Result, doc.current_result_id).payload)
            if doc.insured_id and doc.insured_id != insured:
                result["coverage"] = None  # evaluated for the other insured person
        return DocumentState(document_id=document_id, insured_id=insured, filename=up.filename,
                             received_at=aware(up.created_at), upload_state=up.state,
                             upload_error=up.error, status_url=status_url(request, document_id),
                             result=result, review=review_state(session, document_id))


def review_state(session, document_id: str) -> ReviewState | None:
    item = session.scalar(select(ReviewItem).where(ReviewItem.document_id == document_id)
                          .order_by((ReviewItem.state == "superseded"), ReviewItem.id.desc())
                          .limit(1))
    if item is None:
        return None
    out = session.get(ReviewOutcome, item.id)
    return ReviewState(item_id=item.id, state=item.state, reasons=list(item.reasons or []),
                       decision=out.decision if out else None,
                       decision_reason=out.reason if out else None,
                       reviewer=out.reviewer if out else None,
                       decided_at=aware(out.decided_at) if out else None,
                       fields=out.fields if out else None, eur=out.eur if out else None,
                       coverage=out.coverage if out else None)
