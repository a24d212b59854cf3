"""The review queue: listing, claims (never two holders), decisions, and the audit trail."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import String, and_, case, cast, func, insert, or_, select, update
from sqlalchemy.orm import Session

from pipeline.store import Document, Result, ReviewItem
from pipeline.store_review import (
    AuditEntry, Correction, ReviewItemFacts, ReviewOutcome, ReviewUser,
)
from review.auth import aware, now
from review import fields as F

SORTS = ("priority", "age", "amount", "country")
PAGE_SIZE = 50
ACTIVE = ("open", "claimed")


@dataclass
class Filters:
    reason: str = ""
    country: str = ""
    treatment_type: str = ""
    state: str = ""  # "" (open+claimed) | open | claimed | escalated | mine
    min_age_hours: float | None = None
    sort: str = "priority"
    page: int = 1


@dataclass
class Row:
    id: int
    document_id: str
    reasons: list
    state: str
    claimed_by: str | None
    claim_live: bool
    audit_sample: bool
    priority: float
    created_at: datetime
    country: str | None
    treatment_type: str | None
    eur: str | None
    age: str = ""
    extra: dict = field(default_factory=dict)


def _json_text(col, *path):
    expr = col
    for p in path:
        expr = expr[p]
    return expr.as_string()


def cutoff(timeout: timedelta) -> datetime:
    return now() - timeout


_last_sync: dict[str, float] = {}


def sync_facts(session: Session, min_interval: float = 0.0) -> int:
    """Copy country, treatment type and EUR amount of queued items without facts yet into
    review_item_facts (commits); skipped if done less than `min_interval` s ago. Returns rows
    added."""
    import time
    from decimal import Decimal, InvalidOperation

    from sqlalchemy.exc import IntegrityError

    key = str(session.get_bind().url)
    if min_interval and time.monotonic() - _last_sync.get(key, -1e9) < min_interval:
        return 0
    _last_sync[key] = time.monotonic()

    country = _json_text(Result.payload, "fields", "country")
    ttype = _json_text(Result.payload, "fields", "treatment_type")
    eur = _json_text(Result.payload, "eur", "amount")
    q = (select(ReviewItem.id, country, ttype, eur)
         .join(Result, Result.id == ReviewItem.result_id)
         .outerjoin(ReviewItemFacts, ReviewItemFacts.item_id == ReviewItem.id)
         .where(ReviewItemFacts.item_id.is_(None),
                ReviewItem.state.in_(ACTIVE + ("escalated",))))
    rows = []
    for item_id, c, t, amount in session.execute(q):
        try:
            value = Decimal(amount).quantize(Decimal("0.01")) if amount else None
        except (InvalidOperation, ValueError):
            value = None
        rows.append({"item_id": item_id, "country": (c or None) and c[:8],
                     "treatment_type": (t or None) and t[:64], "eur_amount": value})
    if rows:
        try:
            session.execute(insert(ReviewItemFacts), rows)
            session.commit()
        except IntegrityError:  # another request filled them first
            session.rollback()
    return len(rows)


def list_items(session: Session, flt: Filters, user: ReviewUser, timeout: timedelta):
    """(rows of one page, total matching). Filters and sorts on country, treatment type and
    amount read review_item_facts: call sync_facts first."""
    country = _json_text(Result.payload, "fields", "country")
    ttype = _json_text(Result.payload, "fields", "treatment_type")
    eur = _json_text(Result.payload, "eur", "amount")
    conds = []
    if flt.state == "escalated" and user.role == "supervisor":
        conds.append(ReviewItem.state == "escalated")
    elif flt.state == "open":
        conds.append(or_(ReviewItem.state == "open",
                         and_(ReviewItem.state == "claimed", ReviewItem.claimed_at < cutoff(timeout))))
    elif flt.state == "claimed":
        conds += [ReviewItem.state == "claimed", ReviewItem.claimed_at >= cutoff(timeout)]
    elif flt.state == "mine":
        conds += [ReviewItem.state.in_(ACTIVE + ("escalated",)), ReviewItem.claimed_by == user.name,
                  ReviewItem.claimed_at >= cutoff(timeout)]
    else:
        conds.append(ReviewItem.state.in_(ACTIVE))
    if flt.reason:
        conds.append(cast(ReviewItem.reasons, String).like(f'%"{_like(flt.reason)}%', escape="\\"))
    if flt.country:
        conds.append(ReviewItemFacts.country == flt.country.upper())
    if flt.treatment_type:
        conds.append(ReviewItemFacts.treatment_type == flt.treatment_type)
    if flt.min_age_hours:
        conds.append(ReviewItem.created_at <= now() - timedelta(hours=flt.min_age_hours))
    order = {
        "priority": (ReviewItem.priority.desc(), ReviewItem.created_at, ReviewItem.id),
        "age": (ReviewItem.created_at, ReviewItem.id),
        "amount": (ReviewItemFacts.eur_amount.desc().nulls_last(), ReviewItem.id),
        "country": (ReviewItemFacts.country, ReviewItem.priority.desc(), ReviewItem.id),
    }[flt.sort if flt.sort in SORTS else "priority"]
    needs_join = bool(flt.country or flt.treatment_type) or flt.sort in ("amount", "country")
    count_q = select(func.count()).select_from(ReviewItem)
    ids_q = select(ReviewItem.id)
    if flt.country or flt.treatment_type:
        count_q = count_q.join(ReviewItemFacts, ReviewItemFacts.item_id == ReviewItem.id)
    if needs_join:
        ids_q = ids_q.outerjoin(ReviewItemFacts, ReviewItemFacts.item_id == ReviewItem.id)
    total = session.scalar(count_q.where(*conds))
    # The page's ids first (an index walk for the default order), then their details.
    ids = session.scalars(ids_q.where(*conds).order_by(*order).limit(PAGE_SIZE)
                          .offset((max(flt.page, 1) - 1) * PAGE_SIZE)).all()
    q = (select(ReviewItem.id, ReviewItem.document_id, ReviewItem.reasons, ReviewItem.state,
                ReviewItem.claimed_by, ReviewItem.claimed_at, ReviewItem.audit_sample,
                ReviewItem.priority, ReviewItem.created_at, country, ttype, eur)
         .join(Result, Result.id == ReviewItem.result_id).where(ReviewItem.id.in_(ids)))
    position = {item_id: i for i, item_id in enumerate(ids)}
    limit = cutoff(timeout)
    rows = []
    for r in sorted(session.execute(q) if ids else [], key=lambda r: position[r.id]):
        live = r.claimed_by is not None and r.claimed_at is not None and aware(r.claimed_at) >= limit
        rows.append(Row(r.id, r.document_id, list(r.reasons or []), r.state, r.claimed_by, live,
                        bool(r.audit_sample), float(r.priority or 0), aware(r.created_at),
                        r[9], r[10], r[11], age=age_text(aware(r.created_at))))
    return rows, total


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def age_text(ts: datetime) -> str:
    s = max(0, int((now() - ts).total_seconds()))
    if s < 3600:
        return f"{s // 60} min"
    if s < 86400:
        return f"{s // 3600} h"
    return f"{s // 86400} d"


# --- claims --------------------------------------------------------------------------------


def _claimable(user: ReviewUser, timeout: timedelta):
    free = or_(ReviewItem.claimed_by.is_(None), ReviewItem.claimed_at < cutoff(timeout),
               ReviewItem.claimed_by == user.name)
    states = [and_(ReviewItem.state == "open")]
    states.append(and_(ReviewItem.state == "claimed", free))
    if user.role == "supervisor":
        states.append(and_(ReviewItem.state == "escalated", free))
    return or_(*states)


def claim(session: Session, item_id: int | None, user: ReviewUser, timeout: timedelta) -> int | None:
    """Claim `item_id` (or the first item in queue order when None); returns the id or None.

    PostgreSQL: the row is locked with FOR UPDATE SKIP LOCKED, so a reviewer never waits on
    another's claim; the conditional UPDATE makes the claim atomic on every backend.
    """
    q = select(ReviewItem.id).where(_claimable(user, timeout))
    if item_id is not None:
        q = q.where(ReviewItem.id == item_id)
    else:
        q = q.where(ReviewItem.state.in_(ACTIVE)).order_by(
            ReviewItem.priority.desc(), ReviewItem.created_at, ReviewItem.id).limit(1)
    if session.get_bind().dialect.name == "postgresql":
        q = q.with_for_update(skip_locked=True)
    found = session.scalar(q)
    if found is None:
        return None
    item = session.get(ReviewItem, found)
    new_state = "escalated" if item.state == "escalated" else "claimed"
    done = session.execute(update(ReviewItem).where(ReviewItem.id == found, _claimable(user, timeout))
                           .values(state=new_state, claimed_by=user.name, claimed_at=now())
                           .execution_options(synchronize_session=False)).rowcount
    if done != 1:
        return None
    session.refresh(item)
    audit(session, item, user.name, "claim")
    return found


def holds(item: ReviewItem, user: ReviewUser, timeout: timedelta) -> bool:
    return (item.state in ("claimed", "escalated") and item.claimed_by == user.name
            and item.claimed_at is not None and aware(item.claimed_at) >= cutoff(timeout))


def release(session: Session, item: ReviewItem, user: ReviewUser) -> None:
    item.state = "escalated" if item.state == "escalated" else "open"
    item.claimed_by = None
    item.claimed_at = None
    audit(session, item, user.name, "release")


def audit(session: Session, item: ReviewItem, actor: str, action: str, field: str | None = None,
          before=None, after=None, note: str | None = None) -> None:
    session.add(AuditEntry(item_id=item.id, document_id=item.document_id, actor=actor,
                           action=action, field=field, before=before, after=after, note=note))


# --- decisions -----------------------------------------------------------------------------

ACTIONS = ("approve", "reject", "request_info", "escalate")


class ActionError(ValueError):
    pass


def insured_of(session: Session, item: ReviewItem) -> str | None:
    doc = session.get(Document, item.document_id)
    if doc is not None and doc.insured_id:
        return doc.insured_id
    from pipeline.store_review import Upload

    return session.scalar(select(Upload.insured_id).where(Upload.document_id == item.document_id)
                          .order_by(Upload.id).limit(1))


def decide(session: Session, item: ReviewItem, user: ReviewUser, action: str, submitted: dict,
           note: str, timeout: timedelta) -> dict:
    """Apply a reviewer's edits and action in the caller's transaction; returns the outcome."""
    if action not in ACTIONS:
        raise ActionError(f"unknown action {action!r}")
    if not holds(item, user, timeout):
        raise ActionError("claim the item first (or your claim has expired)")
    if action == "escalate" and item.state == "escalated":
        raise ActionError("the item is already with a supervisor")
    if action in ("reject", "request_info", "escalate") and not note.strip():
        raise ActionError({"reject": "give a reason for the rejection",
                           "request_info": "say what the insured person must send",
                           "escalate": "say why you escalate"}[action])
    result = session.get(Result, item.result_id)
    before = result.payload["fields"]
    fields, edits, errs = F.apply(before, submitted)  # line items too: `line_items[i].amount`
    if errs:
        raise ActionError("; ".join(f"{F.label(k)}: {v}" for k, v in errs.items()))
    for name, value in (fields.get("facts") or {}).items():
        audit(session, item, user.name, "fact", f"facts.{name}", None, value)
    for name, (old, new) in edits.items():
        audit(session, item, user.name, "edit", name, old, new)
        session.add(Correction(item_id=item.id, document_id=item.document_id, result_id=result.id,
                               field=name, predicted=old, corrected=new,
                               confidence=result.payload.get("confidence", {}).get(name),
                               reviewer=user.name, model_version=result.model_version))
    if action == "escalate":
        audit(session, item, user.name, "escalate", "state", item.state, "escalated", note)
        item.state, item.claimed_by, item.claimed_at = "escalated", None, None
        return {"state": "escalated"}
    decision = {"approve": "approved", "reject": "rejected", "request_info": "info_requested"}[action]
    eur = cov = None
    insured_id = insured_of(session, item)
    if action == "reject" and insured_id:
        from pipeline.usage import release

        release(session, insured_id, item.document_id)  # a reversed claim gives its usage back
    if action == "approve":
        try:
            out = F.recompute(session, insured_id, fields, item.document_id)
        except Exception as e:  # nothing is saved: the reviewer sees why and can retry
            raise ActionError(f"EUR/coverage could not be computed: {type(e).__name__}: {e}")
        eur, cov = out["eur"], out["coverage"]
    session.add(ReviewOutcome(item_id=item.id, document_id=item.document_id, decision=decision,
                              reason=note.strip() or None, reviewer=user.name, fields=fields,
                              eur=eur, coverage=cov,
                              changed=bool(edits) or decision != "approved"))
    new_state = "waiting" if action == "request_info" else "done"
    audit(session, item, user.name, action, "decision", item.state, decision, note.strip() or None)
    item.state, item.claimed_by, item.claimed_at = new_state, None, None
    return {"state": new_state, "decision": decision, "eur": eur, "coverage": cov}


def audit_trail(session: Session, item_id: int) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(AuditEntry.item_id == item_id)
                                .order_by(AuditEntry.id)))


# --- dashboard -----------------------------------------------------------------------------


AGE_BUCKETS = (("< 1 h", timedelta(hours=1)), ("1-24 h", timedelta(days=1)),
               ("1-7 d", timedelta(days=7)), ("> 7 d", None))


def _bucket(age: timedelta) -> int:
    for i, (_label, limit) in enumerate(AGE_BUCKETS):
        if limit is None or age < limit:
            return i
    return len(AGE_BUCKETS) - 1


def dashboard(session: Session, days: int = 14) -> dict:
    t = now()
    by_reason: dict[str, list[int]] = {}
    by_age = [0] * len(AGE_BUCKETS)
    q = select(ReviewItem.reasons, ReviewItem.created_at).where(
        ReviewItem.state.in_(ACTIVE + ("escalated",)))
    for reasons, created in session.execute(q):
        b = _bucket(t - aware(created))
        by_age[b] += 1
        for r in reasons or []:
            counts = by_reason.setdefault(r, [0] * (1 + len(AGE_BUCKETS)))
            counts[0] += 1
            counts[1 + b] += 1
    by_state = dict(session.execute(select(ReviewItem.state, func.count())
                                    .group_by(ReviewItem.state)).all())
    day = func.date(ReviewOutcome.decided_at)
    per_reviewer = [(r, str(d), n) for r, d, n in session.execute(
        select(ReviewOutcome.reviewer, day, func.count())
        .where(ReviewOutcome.decided_at >= t - timedelta(days=days))
        .group_by(ReviewOutcome.reviewer, day).order_by(day.desc(), ReviewOutcome.reviewer))]
    sampled = session.execute(
        select(func.count(), func.sum(case((ReviewOutcome.changed.is_(True), 1), else_=0)))
        .join(ReviewItem, ReviewItem.id == ReviewOutcome.item_id)
        .where(ReviewItem.audit_sample.is_(True))).one()
    n, wrong = int(sampled[0] or 0), int(sampled[1] or 0)
    return {"by_reason": sorted(by_reason.items(), key=lambda kv: (-kv[1][0], kv[0])),
            "by_age": list(zip([label for label, _ in AGE_BUCKETS], by_age)),
            "age_labels": [label for label, _ in AGE_BUCKETS],
            "by_state": by_state, "per_reviewer": per_reviewer,
            "audit_sample": {"reviewed": n, "changed": wrong,
                             "error_rate": (wrong / n) if n else None}}
