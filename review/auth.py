"""Accounts, browser sessions, CSRF tokens and upload-API keys.

API keys: `X-API-Key` header. A key made for one insured person (`insured_id` set) may upload and
read only that person's documents. A portal key (`insured_id` None) must name the insured person
per request (form field `insured_id` on upload, header `X-Insured-Id` on reads) and sees only
documents uploaded for that person. Keys are stored as sha256; the plain key is shown once.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from pipeline.store_review import ApiKey, ReviewSession, ReviewUser

ROLES = ("reviewer", "supervisor")
SESSION_COOKIE = "cf_session"
LOGIN_CSRF_COOKIE = "cf_login_csrf"
SESSION_TTL = timedelta(hours=12)

_hasher = PasswordHasher()
# Verified when the user name is unknown, so both paths cost the same time.
_DUMMY_HASH = _hasher.hash("not a password")


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def now() -> datetime:
    return datetime.now(timezone.utc)


def aware(ts: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; they are UTC."""
    if ts is not None and ts.tzinfo is None:
        return ts.replace(tzinfo=timezone.utc)
    return ts


def add_user(session: Session, name: str, role: str, password: str) -> ReviewUser:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if not name or len(name) > 64:
        raise ValueError("name must be 1..64 characters")
    if len(password) < 8:
        raise ValueError("password must have at least 8 characters")
    if session.scalar(select(ReviewUser).where(ReviewUser.name == name)) is not None:
        raise ValueError(f"user {name!r} exists already")
    user = ReviewUser(name=name, role=role, password_hash=_hasher.hash(password), active=True)
    session.add(user)
    session.flush()
    return user


def check_password(session: Session, name: str, password: str) -> ReviewUser | None:
    user = session.scalar(select(ReviewUser).where(ReviewUser.name == name))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    return user


def start_session(session: Session, user: ReviewUser) -> str:
    """A new session for `user`; returns the cookie value."""
    token = secrets.token_urlsafe(32)
    session.execute(delete(ReviewSession).where(ReviewSession.expires_at < now()))
    session.add(ReviewSession(token_hash=sha256(token), user_id=user.id,
                              csrf=secrets.token_urlsafe(32), expires_at=now() + SESSION_TTL))
    return token


def load_session(session: Session, token: str | None) -> tuple[ReviewSession, ReviewUser] | None:
    if not token:
        return None
    row = session.get(ReviewSession, sha256(token))
    if row is None or aware(row.expires_at) < now():
        return None
    user = session.get(ReviewUser, row.user_id)
    if user is None or not user.active:
        return None
    return row, user


def end_session(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(ReviewSession).where(ReviewSession.token_hash == sha256(token)))


def same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


def new_api_key(session: Session, name: str, insured_id: str | None) -> str:
    key = "cf_" + secrets.token_urlsafe(32)
    session.add(ApiKey(name=name, key_hash=sha256(key), insured_id=insured_id or None))
    session.flush()
    return key


def find_api_key(session: Session, key: str | None) -> ApiKey | None:
    if not key:
        return None
    row = session.scalar(select(ApiKey).where(ApiKey.key_hash == sha256(key)))
    if row is None or row.revoked_at is not None:
        return None
    return row
