"""Server-rendered reviewer pages: /login, /queue, /items/{id}, /dashboard.

Every page but /login needs a session cookie (else: redirect to /login); every POST form carries
the session's CSRF token (field `csrf` or header `X-CSRF-Token`); /login uses a double-submit
cookie because there is no session yet.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from pipeline.routing import DEFAULT_THRESHOLDS
from pipeline.store import Original, Result, ReviewItem
from pipeline.store_review import ReviewOutcome, ReviewUser
from review import auth, fields as F, queue as Q
from review.render import RenderError, page_png

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


FACTS_INTERVAL = 2.0  # filtered queue views may miss items queued in the last 2 s
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
       "script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")


class LoginRequired(Exception):
    pass


class Forbidden(Exception):
    pass


@dataclass
class Ctx:
    user: ReviewUser
    csrf: str


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    return templates.TemplateResponse(request, "error.html", {"status": status, "message": message,
                                                             "user": None}, status_code=status)


def need_user(request: Request, role: str | None = None) -> Ctx:
    with request.app.state.sessions() as session:
        found = auth.load_session(session, request.cookies.get(auth.SESSION_COOKIE))
        if found is None:
            raise LoginRequired()
        row, user = found
        session.expunge(user)
    if role is not None and user.role != role:
        raise Forbidden()
    return Ctx(user, row.csrf)


def check_csrf(ctx: Ctx, request: Request, form) -> None:
    token = request.headers.get("x-csrf-token") or (form.get("csrf") if form is not None else None)
    if not auth.same(token, ctx.csrf):
        raise Forbidden("CSRF token missing or wrong; reload the page")


def page(request: Request, name: str, ctx: Ctx | None, **context) -> HTMLResponse:
    context.update(user=ctx.user if ctx else None, csrf=ctx.csrf if ctx else None)
    return templates.TemplateResponse(request, name, context, status_code=context.pop("status", 200))


def safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/queue"


def install(app: FastAPI) -> None:  # noqa: C901 - one route table
    sessions = app.state.sessions
    settings = app.state.settings

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, _e):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, e: Forbidden):
        return error_page(request, 403, str(e) or "Supervisors only.")

    @app.middleware("http")
    async def limit_upload(request: Request, call_next):
        if request.method == "POST" and request.url.path == "/api/v1/documents":
            length = request.headers.get("content-length", "")
            if length.isdigit() and int(length) > settings.max_upload_bytes + (1 << 20):
                return JSONResponse({"error": {"code": "too_large", "message":
                                     f"the file is larger than the limit of "
                                     f"{settings.max_upload_bytes} bytes"}}, status_code=413)
        response = await call_next(request)
        if not request.url.path.startswith("/api/"):
            response.headers.setdefault("X-Frame-Options", "DENY")
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
            response.headers.setdefault("Content-Security-Policy", CSP)
        return response

    def set_cookie(response: Response, name: str, value: str, max_age: int | None = None) -> None:
        response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="lax",
                            secure=settings.secure_cookies, path="/")

    @app.get("/", include_in_schema=False)
    def home(request: Request):
        need_user(request)
        return RedirectResponse("/queue", status_code=303)

    @app.get("/login", include_in_schema=False)
    def login_form(request: Request, next: str = "/queue", error: str = ""):
        token = secrets.token_urlsafe(24)
        response = page(request, "login.html", None, next=safe_next(next), login_csrf=token,
                        error=error)
        set_cookie(response, auth.LOGIN_CSRF_COOKIE, token, max_age=3600)
        return response

    @app.post("/login", include_in_schema=False)
    async def login(request: Request):
        form = await request.form()
        target = safe_next(form.get("next"))
        if not auth.same(form.get("csrf"), request.cookies.get(auth.LOGIN_CSRF_COOKIE)):
            return RedirectResponse("/login?" + urlencode({"next": target, "error": "Form expired; "
                                                           "try again."}), status_code=303)

        def work():
            with sessions.begin() as session:
                user = auth.check_password(session, str(form.get("name", "")),
                                           str(form.get("password", "")))
                return auth.start_session(session, user) if user else None

        token = await run_in_threadpool(work)
        if token is None:
            return RedirectResponse("/login?" + urlencode({"next": target, "error": "Wrong name or "
                                                           "password."}), status_code=303)
        response = RedirectResponse(target, status_code=303)
        set_cookie(response, auth.SESSION_COOKIE, token, max_age=int(auth.SESSION_TTL.total_seconds()))
        response.delete_cookie(auth.LOGIN_CSRF_COOKIE, path="/")
        return response

    @app.post("/logout", include_in_schema=False)
    async def logout(request: Request):
        form = await request.form()
        ctx = await run_in_threadpool(need_user, request)
        check_csrf(ctx, request, form)

        def work():
            with sessions.begin() as session:
                auth.end_session(session, request.cookies.get(auth.SESSION_COOKIE))

        await run_in_threadpool(work)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(auth.SESSION_COOKIE, path="/")
        return response

    @app.get("/queue", include_in_schema=False)
    def queue_page(request: Request, reason: str = "", country: str = "", treatment_type: str = "",
                   state: str = "", min_age_hours: float | None = None, sort: str = "priority",
                   page_no: int = 1, msg: str = ""):
        ctx = need_user(request)
        flt = Q.Filters(reason=reason.strip(), country=country.strip(),
                        treatment_type=treatment_type.strip(), state=state,
                        min_age_hours=min_age_hours, sort=sort, page=max(1, page_no))
        with sessions() as session:
            if flt.country or flt.treatment_type or flt.sort in ("amount", "country"):
                Q.sync_facts(session, min_interval=FACTS_INTERVAL)
            rows, total = Q.list_items(session, flt, ctx.user, settings.claim_timeout)
        query = {k: v for k, v in {"reason": flt.reason, "country": flt.country,
                                   "treatment_type": flt.treatment_type, "state": flt.state,
                                   "min_age_hours": min_age_hours or "", "sort": flt.sort}.items() if v}
        pages = max(1, -(-total // Q.PAGE_SIZE))
        return page(request, "queue.html", ctx, rows=rows, total=total, flt=flt, pages=pages,
                    query=urlencode(query), sorts=Q.SORTS, treatment_types=F.TREATMENT_TYPES,
                    msg=msg)

    @app.post("/queue/claim-next", include_in_schema=False)
    async def claim_next(request: Request):
        form = await request.form()
        ctx = await run_in_threadpool(need_user, request)
        check_csrf(ctx, request, form)

        def work():
            with sessions.begin() as session:
                return Q.claim(session, None, ctx.user, settings.claim_timeout)

        item_id = await run_in_threadpool(work)
        if item_id is None:
            return RedirectResponse("/queue?msg=" + quote("Nothing left to claim."), status_code=303)
        return RedirectResponse(f"/items/{item_id}", status_code=303)

    @app.get("/items/{item_id}", include_in_schema=False)
    def item_page(request: Request, item_id: int, msg: str = "", error: str = ""):
        ctx = need_user(request)
        with sessions() as session:
            data = item_view(session, item_id, ctx.user, settings.claim_timeout)
        if data is None:
            return error_page(request, 404, "No such review item.")
        return page(request, "item.html", ctx, msg=msg, error=error, **data)

    @app.get("/items/{item_id}/pages/{index}.png", include_in_schema=False)
    def item_image(request: Request, item_id: int, index: int):
        need_user(request)
        with sessions() as session:
            item = session.get(ReviewItem, item_id)
            original = session.get(Original, item.document_id) if item else None
            if original is None:
                return Response(status_code=404)
            result = session.get(Result, item.result_id)
            pages = ((result.evidence or {}).get("pages") or []) if result else []
            rotation = int(pages[index].get("rotation") or 0) if index < len(pages) else 0
            data = original.data
        try:
            png = page_png(item.document_id, data, index, rotation)
        except RenderError as e:
            return Response(str(e), status_code=404, media_type="text/plain")
        return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})

    @app.post("/items/{item_id}/claim", include_in_schema=False)
    async def claim_item(request: Request, item_id: int):
        form = await request.form()
        ctx = await run_in_threadpool(need_user, request)
        check_csrf(ctx, request, form)

        def work():
            with sessions.begin() as session:
                return Q.claim(session, item_id, ctx.user, settings.claim_timeout)

        got = await run_in_threadpool(work)
        if got is None:
            return RedirectResponse(f"/items/{item_id}?error=" + quote(
                "Someone else holds this item (or it is closed)."), status_code=303)
        return RedirectResponse(f"/items/{item_id}", status_code=303)

    @app.post("/items/{item_id}/release", include_in_schema=False)
    async def release_item(request: Request, item_id: int):
        form = await request.form()
        ctx = await run_in_threadpool(need_user, request)
        check_csrf(ctx, request, form)

        def work():
            with sessions.begin() as session:
                item = session.get(ReviewItem, item_id, with_for_update=True)
                if item is not None and Q.holds(item, ctx.user, settings.claim_timeout):
                    Q.release(session, item, ctx.user)

        await run_in_threadpool(work)
        return RedirectResponse("/queue", status_code=303)

    @app.post("/items/{item_id}/action", include_in_schema=False)
    async def act(request: Request, item_id: int):
        form = await request.form()
        ctx = await run_in_threadpool(need_user, request)
        check_csrf(ctx, request, form)
        submitted = editable(form)

        def work():
            with sessions.begin() as session:
                item = session.get(ReviewItem, item_id, with_for_update=True)
                if item is None:
                    return None, "No such review item."
                try:
                    return Q.decide(session, item, ctx.user, str(form.get("action", "")),
                                    submitted, str(form.get("note", "")), settings.claim_timeout), None
                except Q.ActionError as e:
                    session.rollback()
                    return None, str(e)

        outcome, err = await run_in_threadpool(work)
        if err:
            return RedirectResponse(f"/items/{item_id}?error=" + quote(err), status_code=303)
        return RedirectResponse(f"/items/{item_id}?msg=" + quote(
            f"Saved: {outcome.get('decision') or outcome['state']}."), status_code=303)

    @app.post("/items/{item_id}/preview", include_in_schema=False)
    async def preview(request: Request, item_id: int):
        form = await request.form()
        ctx = await run_in_threadpool(need_user, request)
        check_csrf(ctx, request, form)
        submitted = editable(form)

        def work():
            with sessions() as session:  # never committed: coverage usage is rolled back
                item = session.get(ReviewItem, item_id)
                if item is None:
                    return {"error": "no such item"}
                current = session.get(Result, item.result_id).payload["fields"]
                fields, edits, errs = F.apply(current, submitted)
                out = {"errors": errs, "changed": sorted(edits)}
                if not errs:
                    out["lines_warning"] = F.lines_warning(fields)
                    try:
                        out.update(F.recompute(session, Q.insured_of(session, item), fields,
                                               item.document_id))
                    except Exception as e:  # the preview must not break the page
                        out["eur_message"] = f"cannot recompute: {type(e).__name__}"
                session.rollback()
                return out

        return JSONResponse(await run_in_threadpool(work))

    @app.get("/dashboard", include_in_schema=False)
    def dashboard_page(request: Request):
        ctx = need_user(request, role="supervisor")
        with sessions() as session:
            stats = Q.dashboard(session)
        return page(request, "dashboard.html", ctx, stats=stats)


def editable(form) -> dict[str, str]:
    return {k: str(v) for k, v in form.items()
            if k in F.EDITABLE or k.startswith("fact.") or k == "line_items" or F.LINE_KEY.fullmatch(k)}


def conf_class(conf: float | None) -> str:
    if conf is None:
        return "na"
    return "hi" if conf >= 0.9 else "mid" if conf >= 0.7 else "lo"


def item_view(session, item_id: int, user: ReviewUser, timeout) -> dict | None:
    item = session.get(ReviewItem, item_id)
    if item is None:
        return None
    result = session.get(Result, item.result_id)
    payload = result.payload
    evidence = result.evidence or {}
    pages = evidence.get("pages") or [{"width": None, "height": None}]
    boxes = evidence.get("boxes") or {}
    conf = payload.get("confidence") or {}
    low = {r.split(":", 1)[1] for r in item.reasons or [] if r.startswith("low_confidence:")}
    rows = []
    for name in F.EDITABLE:
        value = payload["fields"].get(name)
        c = conf.get(name)
        attention = (name in low or value is None
                     or (name in DEFAULT_THRESHOLDS and (c or 0) < DEFAULT_THRESHOLDS[name]))
        rows.append({"name": name, "label": F.LABELS[name], "value": value, "conf": c,
                     "cls": conf_class(c), "attention": attention,
                     "boxes": _pct(boxes.get(name) or [], pages)})
    line_items = payload["fields"].get("line_items") or []
    line_boxes = [_pct(boxes.get(f"line_items.{i}") or [], pages) for i in range(len(line_items))]
    mismatch = "line_items_mismatch" in (item.reasons or [])
    lines = [{"i": i, "description": F.shown(li.get("description")), "amount": F.shown(li.get("amount")),
              "treatment_type": li.get("treatment_type"),
              "attention": mismatch or li.get("amount") in (None, "")}
             for i, li in enumerate(line_items) if isinstance(li, dict)]
    outcome = session.get(ReviewOutcome, item.id)
    live = Q.holds(item, user, timeout)
    other = (item.claimed_by and item.claimed_by != user.name and item.claimed_at is not None
             and auth.aware(item.claimed_at) >= Q.cutoff(timeout))
    return {"item": item, "payload": payload, "rows": rows, "pages": pages,
            "line_boxes": line_boxes, "lines": lines, "next_line": len(line_items),
            "lines_warning": F.lines_warning(payload["fields"]),
            "outcome": outcome, "mine": live, "held_by_other": other,
            "trail": Q.audit_trail(session, item.id), "insured_id": Q.insured_of(session, item),
            "treatment_types": F.TREATMENT_TYPES, "settings_list": F.SETTINGS,
            "facts": [(n, k if isinstance(k, str) else list(k)) for n, k in F.fact_spec()],
            "given_facts": (outcome.fields.get("facts") or {}) if outcome else {},
            "can_act": live and item.state in ("claimed", "escalated")}


def _pct(boxes: list, pages: list) -> list[dict]:
    """Boxes [page, x0, y0, x1, y1] in page units -> CSS percentages on that page's image."""
    out = []
    for b in boxes:
        try:
            p, x0, y0, x1, y1 = int(b[0]), *map(float, b[1:5])
            w, h = float(pages[p]["width"]), float(pages[p]["height"])
        except (ValueError, TypeError, IndexError, KeyError):
            continue
        if w <= 0 or h <= 0:
            continue
        out.append({"page": p, "left": round(100 * x0 / w, 3), "top": round(100 * y0 / h, 3),
                    "width": round(100 * (x1 - x0) / w, 3), "height": round(100 * (y1 - y0) / h, 3)})
    return out
