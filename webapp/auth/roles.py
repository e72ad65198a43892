"""A user's Glassbox role from their groups (an OIDC claim or a proxy header), by a configured map."""

from __future__ import annotations

from models.access import ROLES


def groups_of(value) -> list[str]:
    """A claim or header value as a list of group names: a list, or a string of comma/space separated names."""
    if isinstance(value, str):
        return [part for part in value.replace(",", " ").split() if part]
    if isinstance(value, list | tuple):
        return [str(item) for item in value if isinstance(item, str | int)]
    return []


def role_for(groups: list[str], mapping: dict[str, str], default: str) -> str:
    """The highest role any of ``groups`` maps to, else ``default``."""
    found = [mapping[g] for g in groups if g in mapping]
    return max(found, key=ROLES.index) if found else default
