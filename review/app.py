"""The FastAPI app: the portal upload API (/api/v1) and the reviewers' pages."""
from __future__ import annotations

import os
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from review.api import ApiError, router as api_router
from review.worker import Processor, UploadWorkers, default_processor

HERE = Path(__file__).parent


def _env_num(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


@dataclass
class Settings:
    max_upload_bytes: int = field(
        default_factory=lambda: int(_env_num("CLAIMFLOW_MAX_UPLOAD_MB", 25) * 1024 * 1024))
    workers: int = field(default_factory=lambda: int(_env_num("CLAIMFLOW_UPLOAD_WORKERS", 2)))
    max_backlog: int = field(default_factory=lambda: int(_env_num("CLAIMFLOW_MAX_BACKLOG", 100_000)))
    claim_timeout: timedelta = field(
        default_factory=lambda: timedelta(minutes=_env_num("CLAIMFLOW_CLAIM_TIMEOUT_MIN", 30)))
    secure_cookies: bool = field(
        default_factory=lambda: os.environ.get("CLAIMFLOW_SECURE_COOKIES", "") not in ("", "0"))


def create_app(db_url: str | None = None, settings: Settings | None = None,
               processor: Processor | None = None) -> FastAPI:
    from pipeline.db import session_factory

    settings = settings or Settings()
    sessions = session_factory(db_url)

    prefect_api: list[str] = []  # the managed Prefect server's URL while the app runs

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        server = None
        if processor is None and settings.workers > 0:
            # One Prefect server for every upload worker, stopped with the app (and killed with
            # this process): without it each flow call leaves an ephemeral server behind.
            from pipeline.bulk_server import LocalServer

            server = LocalServer()
            prefect_api.append(await run_in_threadpool(server.start))
        app.state.prefect_server = server
        app.state.workers.start()
        try:
            yield
        finally:
            app.state.workers.stop()
            if server is not None:
                await run_in_threadpool(server.stop)
                prefect_api.clear()

    app = FastAPI(title="claimflow", version="1", lifespan=lifespan,
                  description="Portal upload API of claimflow. Authenticate with `X-API-Key`: "
                              "a key of one insured person, or a portal key that names the "
                              "insured person per request (`insured_id` / `X-Insured-Id`).",
                  docs_url=None, redoc_url=None)  # Swagger UI would load scripts from a CDN
    app.state.settings = settings
    app.state.sessions = sessions
    app.state.workers = UploadWorkers(sessions, processor or default_processor(db_url, prefect_api),
                                      settings.workers)
    app.include_router(api_router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    from review.pages import install

    install(app)

    @app.exception_handler(ApiError)
    async def api_error(_request: Request, e: ApiError):
        return JSONResponse({"error": {"code": e.code, "message": e.message}}, status_code=e.status,
                            headers=e.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, e: RequestValidationError):
        parts = []
        for err in e.errors():
            where = ".".join(str(x) for x in err.get("loc", ()) if x not in ("body",))
            parts.append(f"{where}: {err.get('msg')}")
        return JSONResponse({"error": {"code": "invalid_request", "message": "; ".join(parts)}},
                            status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, e: StarletteHTTPException):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": {"code": "http_" + str(e.status_code),
                                           "message": str(e.detail)}},
                                status_code=e.status_code, headers=getattr(e, "headers", None))
        from review.pages import error_page

        return error_page(request, e.status_code, str(e.detail))

    return app
