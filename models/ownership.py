"""Whose data is whose: owners and visibility of uploads and runs, and the filter every list and lookup applies.

Uploads are content-addressed (the same bytes get the same id on every page), so one stored file may have been
uploaded by several users. Each upload therefore has one entry per owner in ``item_owners`` — ``(kind, item,
owner)`` with that owner's visibility — and a user may open it when ``models.access.may_see`` holds for any of
its entries. Two users who upload the same file each own their entry; making yours team-visible does not
publish the other's, and it is their file too.

An upload with no entry at all was stored before ownership existed: it is a legacy item (owner ``legacy``, team
visibility), as the migration gives every older run. The entry is written *before* the file (``content_id``
names it first), so a new upload never passes for a legacy one, not even for a moment.

Runs are made once by one user: ``sentiment_runs`` and ``nn_runs`` carry ``owner`` and ``visibility`` columns
themselves, filtered with ``visible_clause``.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from models import migrations
from models.access import LEGACY_OWNER, PRIVATE, TEAM, VISIBILITIES, User, may_change, may_see

KINDS = ("logs", "sentiment", "nn")
"""The pages whose uploads have owners."""

metadata = sa.MetaData()

owners = sa.Table(
    "item_owners",
    metadata,
    sa.Column("kind", sa.String(16), primary_key=True),
    sa.Column("item", sa.String(64), primary_key=True),
    sa.Column("owner", sa.String(200), primary_key=True),
    sa.Column("visibility", sa.String(16), nullable=False),
    sa.Column("name", sa.String(200), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)


class OwnershipError(PermissionError):
    """A user asked to change an item they may not change, or for a visibility that does not exist."""


def owner_columns() -> list[sa.Column]:
    """The ``owner`` and ``visibility`` columns of a run table (rows made without them are legacy, team)."""
    return [
        sa.Column("owner", sa.String(200), nullable=False, server_default=LEGACY_OWNER, index=True),
        sa.Column("visibility", sa.String(16), nullable=False, server_default=TEAM),
    ]


def visible_clause(table: sa.Table, user: User):
    """A WHERE clause keeping the rows of ``table`` (with ``owner_columns``) that ``user`` may see."""
    if user.is_admin:
        return sa.true()
    return sa.or_(table.c.owner == user.name, table.c.visibility == TEAM)


def check_visibility(visibility) -> str:
    """``visibility`` if it is one, else ``OwnershipError`` naming the choices."""
    if visibility not in VISIBILITIES:
        raise OwnershipError(f"Visibility must be one of {', '.join(VISIBILITIES)}, not {str(visibility)[:40]!r}.")
    return visibility


def label(owner: str | None, visibility: str | None) -> str:
    """How a menu names an item's owner and visibility, e.g. ``"ana, private"``."""
    return f"{owner or LEGACY_OWNER}, {visibility or TEAM}"


class Ownership:
    """The owner entries of uploads in one database; every method is one short transaction."""

    def __init__(self, engine: Engine):
        self.engine = engine
        migrations.ensure_current(engine)  # the table comes from revision 0003_ownership

    def claim(self, kind: str, item: str, owner: str, visibility: str = PRIVATE, name: str | None = None) -> None:
        """Make ``owner`` an owner of ``item`` (before the file is stored). An existing entry keeps its visibility.

        Raises:
            ValueError: an unknown kind. OwnershipError: an unknown visibility.
        """
        if kind not in KINDS:
            raise ValueError(f"{kind!r} is not one of {', '.join(KINDS)}")
        check_visibility(visibility)
        row = {
            "kind": kind,
            "item": item,
            "owner": owner,
            "visibility": visibility,
            "name": None if name is None else str(name)[:200],
            "created_at": datetime.now(UTC),
        }
        try:
            with self.engine.begin() as conn:
                if conn.execute(self._where(sa.select(owners.c.owner), kind, item, owner)).first() is None:
                    conn.execute(owners.insert().values(**row))
        except sa.exc.IntegrityError:  # the same user's same upload in another worker at the same moment
            pass

    @staticmethod
    def _where(statement, kind: str, item: str, owner: str | None = None):
        statement = statement.where(owners.c.kind == kind, owners.c.item == item)
        return statement if owner is None else statement.where(owners.c.owner == owner)

    def entries(self, kind: str, item: str) -> list[dict]:
        """Every owner entry of an item: ``owner``, ``visibility``, ``name``, ``created_at``; oldest first."""
        query = self._where(sa.select(owners), kind, item).order_by(owners.c.created_at, owners.c.owner)
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def may_see(self, user: User, kind: str, item: str) -> bool:
        """Whether ``user`` may open ``item``: an entry of theirs, a team entry, an admin, or a legacy item."""
        entries = self.entries(kind, item)
        if not entries:
            return True
        return any(may_see(user, entry["owner"], entry["visibility"]) for entry in entries)

    def entry_for(self, user: User, kind: str, item: str) -> dict:
        """The entry a list shows to ``user`` for an item: their own, else the first they may see, else legacy."""
        entries = self.entries(kind, item)
        own = [e for e in entries if e["owner"] == user.name]
        seen = own or [e for e in entries if may_see(user, e["owner"], e["visibility"])]
        if seen:
            return seen[0]
        if not entries:
            return {"owner": LEGACY_OWNER, "visibility": TEAM, "name": None, "created_at": None}
        raise LookupError(f"{user.name} may not see {item}")

    def visible(self, user: User, kind: str) -> dict[str, dict]:
        """Item → the entry shown to ``user`` (``entry_for``), for every item of ``kind`` with an entry they may
        see, newest first. Legacy items (no entry) are not in it: a page that lists its files adds them."""
        query = sa.select(owners).where(owners.c.kind == kind).order_by(owners.c.created_at.desc())
        with self.engine.connect() as conn:
            rows = [dict(row._mapping) for row in conn.execute(query)]
        found: dict[str, dict] = {}
        for row in rows:
            if not may_see(user, row["owner"], row["visibility"]):
                continue
            if row["item"] not in found or row["owner"] == user.name:
                found[row["item"]] = row
        return found

    def owned_items(self, kind: str) -> set[str]:
        """Every item of ``kind`` that has an entry (what is not in it is legacy)."""
        with self.engine.connect() as conn:
            return set(conn.execute(sa.select(owners.c.item).where(owners.c.kind == kind).distinct()).scalars())

    def set_visibility(self, user: User, kind: str, item: str, visibility: str, owner: str | None = None) -> str:
        """Change the visibility of ``owner``'s entry (default: ``user``'s own); returns the owner changed.

        Raises:
            OwnershipError: no such entry, or ``user`` may not change it (``models.access.may_change``).
        """
        check_visibility(visibility)
        owner = owner or user.name
        if not may_change(user, owner):
            raise OwnershipError(f"{user.name} ({user.role}) may not change the visibility of {owner}'s {kind} data.")
        with self.engine.begin() as conn:
            changed = conn.execute(
                self._where(owners.update(), kind, item, owner).values(visibility=visibility)
            ).rowcount
        if not changed:
            raise OwnershipError(f"{owner} has no {kind} upload {str(item)[:40]!r}.")
        return owner


def set_run_visibility(engine: Engine, table: sa.Table, user: User, run_id: int, visibility: str) -> dict:
    """Change a run's visibility in ``table`` (``sentiment_runs`` or ``nn_runs``); returns ``{id, owner}``.

    Raises:
        OwnershipError: no run by that id that ``user`` may see, or one they may not change.
    """
    check_visibility(visibility)
    with engine.begin() as conn:
        row = conn.execute(
            sa.select(table.c.id, table.c.owner, table.c.visibility).where(
                table.c.id == int(run_id), visible_clause(table, user)
            )
        ).first()
        if row is None:
            raise OwnershipError(f"There is no run {run_id!r}.")
        if not may_change(user, row.owner):
            raise OwnershipError(f"{user.name} ({user.role}) may not change run #{row.id} of {row.owner}.")
        conn.execute(table.update().where(table.c.id == row.id).values(visibility=visibility))
    return {"id": row.id, "owner": row.owner}
