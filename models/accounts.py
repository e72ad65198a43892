"""Accounts: the users table (hashed passwords) and personal API tokens (stored hashed).

No web framework here: ``webapp.auth`` and the ``glassbox users`` / ``glassbox tokens`` commands call these.
Passwords are hashed with werkzeug's scrypt; a token is 32 random bytes shown once, and only its SHA-256 is kept
(a token is high-entropy, so a fast hash is enough and lets a request find its row by the hash).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from werkzeug.security import check_password_hash, generate_password_hash

from models.access import ROLES, User

metadata = sa.MetaData()

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("password_hash", sa.String(300), nullable=True),
    sa.Column("source", sa.String(16), nullable=False),  # password, oidc, proxy
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_sign_in", sa.DateTime(timezone=True), nullable=True),
    sa.UniqueConstraint("name", name="uq_users_name"),
)

tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user_name", sa.String(200), nullable=False, index=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    sa.UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
)

PASSWORD_METHOD = "scrypt"
MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_CHARS = 1024  # scrypt of a megabyte "password" is a cheap denial of service
TOKEN_PREFIX = "gbx_"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,199}$")
# A fixed hash to check against when the user does not exist, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-password", method=PASSWORD_METHOD)


class AccountError(ValueError):
    """A user or token request that cannot be done; the message says why."""


def _now() -> datetime:
    return datetime.now(UTC)


def check_name(name: str) -> str:
    """``name`` if it is a valid user name (letters, digits, ``. _ @ + -``; up to 200 characters)."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise AccountError(
            f"{str(name)[:50]!r} is not a user name: use letters, digits and . _ @ + - (up to 200 characters)."
        )
    return name


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(f"{str(role)[:50]!r} is not a role: {', '.join(ROLES)}.")
    return role


def check_password(password: str) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_CHARS:
        raise AccountError(f"A password needs at least {MIN_PASSWORD_CHARS} characters.")
    if len(password) > MAX_PASSWORD_CHARS:
        raise AccountError(f"A password may have at most {MAX_PASSWORD_CHARS} characters.")
    return password


# Users ----------------------------------------------------------------------------------------------------------


def add_user(engine: Engine, name: str, role: str, password: str | None = None, source: str = "password") -> User:
    """Add a user; ``password`` is hashed (``None``: a user who signs in elsewhere, OIDC or proxy)."""
    check_name(name)
    check_role(role)
    hashed = None if password is None else generate_password_hash(check_password(password), method=PASSWORD_METHOD)
    try:
        with engine.begin() as connection:
            connection.execute(
                users.insert().values(name=name, role=role, password_hash=hashed, source=source, created_at=_now())
            )
    except sa.exc.IntegrityError:
        raise AccountError(f"A user named {name!r} exists already.") from None
    return User(name, role)


def get_user(engine: Engine, name: str) -> User | None:
    with engine.connect() as connection:
        row = connection.execute(sa.select(users.c.name, users.c.role).where(users.c.name == name)).first()
    return None if row is None else User(row.name, row.role)


def list_users(engine: Engine) -> list[dict]:
    statement = sa.select(users.c.name, users.c.role, users.c.source, users.c.created_at, users.c.last_sign_in)
    with engine.connect() as connection:
        return [row._asdict() for row in connection.execute(statement.order_by(users.c.name))]


def remove_user(engine: Engine, name: str) -> None:
    """Remove a user and revoke their tokens."""
    with engine.begin() as connection:
        if connection.execute(users.delete().where(users.c.name == name)).rowcount == 0:
            raise AccountError(f"There is no user named {name!r}.")
        connection.execute(
            tokens.update().where(tokens.c.user_name == name, tokens.c.revoked_at.is_(None)).values(revoked_at=_now())
        )


def set_role(engine: Engine, name: str, role: str) -> str:
    """Give ``name`` the role ``role``; returns the role they had."""
    check_role(role)
    with engine.begin() as connection:
        old = connection.execute(sa.select(users.c.role).where(users.c.name == name)).scalar()
        if old is None:
            raise AccountError(f"There is no user named {name!r}.")
        connection.execute(users.update().where(users.c.name == name).values(role=role))
    return old


def set_password(engine: Engine, name: str, password: str) -> None:
    hashed = generate_password_hash(check_password(password), method=PASSWORD_METHOD)
    with engine.begin() as connection:
        if connection.execute(users.update().where(users.c.name == name).values(password_hash=hashed)).rowcount == 0:
            raise AccountError(f"There is no user named {name!r}.")


def authenticate(engine: Engine, name: str, password: str) -> User | None:
    """The user if ``password`` is theirs, else ``None`` (as slow for an unknown name as for a wrong password)."""
    if not isinstance(name, str) or not isinstance(password, str) or len(password) > MAX_PASSWORD_CHARS:
        return None
    with engine.connect() as connection:
        row = connection.execute(
            sa.select(users.c.name, users.c.role, users.c.password_hash).where(users.c.name == name)
        ).first()
    if row is None or row.password_hash is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(row.password_hash, password):
        return None
    with engine.begin() as connection:
        connection.execute(users.update().where(users.c.name == name).values(last_sign_in=_now()))
    return User(row.name, row.role)


def remember_external(engine: Engine, name: str, role: str, source: str) -> User:
    """Record a user signed in by OIDC or a proxy (their role comes from there, each sign-in); returns them."""
    check_name(name)
    check_role(role)
    with engine.begin() as connection:
        updated = connection.execute(
            users.update().where(users.c.name == name).values(role=role, last_sign_in=_now())
        ).rowcount
        if not updated:
            try:
                with connection.begin_nested():
                    connection.execute(
                        users.insert().values(
                            name=name, role=role, source=source, created_at=_now(), last_sign_in=_now()
                        )
                    )
            except sa.exc.IntegrityError:  # another request signed them in at the same moment
                pass
    return User(name, role)


# Tokens ---------------------------------------------------------------------------------------------------------


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def create_token(engine: Engine, user_name: str, name: str = "token") -> tuple[int, str]:
    """A new token for ``user_name``: (its id, the token). The token is shown once; only its hash is kept."""
    name = (name or "token").strip()[:100] or "token"
    if get_user(engine, user_name) is None:
        raise AccountError(f"There is no user named {user_name!r}.")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with engine.begin() as connection:
        token_id = connection.execute(
            tokens.insert().values(user_name=user_name, name=name, token_hash=_hash_token(token), created_at=_now())
        ).inserted_primary_key[0]
    return int(token_id), token


def revoke_token(engine: Engine, token_id: int, user_name: str | None = None) -> dict:
    """Revoke a token (only ``user_name``'s when given); returns its row."""
    statement = sa.select(tokens).where(tokens.c.id == token_id)
    if user_name is not None:
        statement = statement.where(tokens.c.user_name == user_name)
    with engine.begin() as connection:
        row = connection.execute(statement).first()
        if row is None:
            raise AccountError(f"There is no token {token_id}" + (f" of {user_name!r}." if user_name else "."))
        if row.revoked_at is None:
            connection.execute(tokens.update().where(tokens.c.id == token_id).values(revoked_at=_now()))
    return {"id": row.id, "user_name": row.user_name, "name": row.name}


def list_tokens(engine: Engine, user_name: str | None = None) -> list[dict]:
    """Tokens, newest first (never the token itself: only its hash is stored)."""
    statement = sa.select(
        tokens.c.id, tokens.c.user_name, tokens.c.name, tokens.c.created_at, tokens.c.last_used_at, tokens.c.revoked_at
    ).order_by(tokens.c.id.desc())
    if user_name is not None:
        statement = statement.where(tokens.c.user_name == user_name)
    with engine.connect() as connection:
        return [row._asdict() for row in connection.execute(statement)]


def token_user(engine: Engine, token: str) -> User | None:
    """The user a live token belongs to (with their role now), or ``None`` for an unknown or revoked token."""
    if not isinstance(token, str) or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    digest = _hash_token(token)
    statement = (
        sa.select(tokens.c.id, users.c.name, users.c.role)
        .join(users, users.c.name == tokens.c.user_name)
        .where(tokens.c.token_hash == digest, tokens.c.revoked_at.is_(None))
    )
    with engine.begin() as connection:
        row = connection.execute(statement).first()
        if row is None:
            return None
        connection.execute(tokens.update().where(tokens.c.id == row.id).values(last_used_at=_now()))
    return User(row.name, row.role)
