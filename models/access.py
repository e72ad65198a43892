"""Who may do what: the three roles, and who may see an item from its owner and visibility.

The analysis layer and the web layer both ask these questions, so the answers live here once. A user is a
name and a role; items (datasets, runs) carry an ``owner`` (a user name) and a ``visibility``.
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("viewer", "editor", "admin")
"""Ordered: each role may do everything the ones before it may."""

PRIVATE, TEAM = "private", "team"
VISIBILITIES = (PRIVATE, TEAM)

LEGACY_OWNER = "legacy"
"""Owner of rows made before sign-in existed (migrations give them team visibility)."""


@dataclass(frozen=True)
class User:
    name: str
    role: str

    def __post_init__(self):
        if self.role not in ROLES:
            raise ValueError(f"{self.role!r} is not a role: {', '.join(ROLES)}")

    def can(self, role: str) -> bool:
        """True when this user's role is ``role`` or above it."""
        return ROLES.index(self.role) >= ROLES.index(role)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


LOCAL_USER = User("local", "admin")
"""The one user of a single-user server (``GLASSBOX_AUTH=none``)."""


def may_see(user: User, owner: str | None, visibility: str | None) -> bool:
    """True when ``user`` may list, open or download an item owned by ``owner`` with ``visibility``."""
    return user.is_admin or owner == user.name or visibility == TEAM


def may_change(user: User, owner: str | None) -> bool:
    """True when ``user`` may change or delete an item (its owner, or an admin); editors and above only."""
    return user.can("editor") and (user.is_admin or owner == user.name)
