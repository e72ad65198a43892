"""``glassbox users ...`` and ``glassbox tokens ...`` on the command line, against a real database file."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from models import accounts, audit
from models.db import make_engine

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def glassbox(tmp_path):
    url = f"sqlite:///{tmp_path / 'glassbox.db'}"
    env = {**os.environ, "GLASSBOX_DATABASE_URL": url}

    def run(*args, stdin: str | None = None):
        return subprocess.run(
            [sys.executable, "-m", "webapp", *args],
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
        )

    run.engine = make_engine(url)
    yield run
    run.engine.dispose()


def test_users_add_list_set_role_remove_and_each_is_audited(glassbox):
    added = glassbox("users", "add", "ana", "--role", "admin", "--password-stdin", stdin="a-long-password\n")
    assert added.returncode == 0, added.stderr
    assert accounts.authenticate(glassbox.engine, "ana", "a-long-password").role == "admin"
    assert glassbox("users", "add", "bo", "--password-stdin", stdin="another-password\n").returncode == 0

    listing = glassbox("users", "list")
    assert listing.returncode == 0
    lines = listing.stdout.splitlines()
    assert lines[0].split()[:3] == ["name", "role", "source"]
    assert [line.split()[:2] for line in lines[1:]] == [["ana", "admin"], ["bo", "viewer"]]

    changed = glassbox("users", "set-role", "bo", "editor")
    assert changed.returncode == 0 and "viewer -> editor" in changed.stdout
    removed = glassbox("users", "remove", "bo")
    assert removed.returncode == 0
    assert accounts.get_user(glassbox.engine, "bo") is None

    actions = [(e["action"], e["target"]) for e in audit.query(glassbox.engine)]
    assert actions == [("user.remove", "user:bo"), ("user.role", "user:bo"), ("user.add", "user:bo"),
                       ("user.add", "user:ana")]  # fmt: skip


@pytest.mark.parametrize(
    "args, stdin, code, message",
    [
        (["users", "add", "ana", "--password-stdin"], "short\n", 1, "at least 8 characters"),
        (["users", "add", "bad name!", "--password-stdin"], "a-long-password\n", 1, "is not a user name"),
        (["users", "add", "ana", "--role", "root"], None, 2, "invalid choice: 'root'"),
        (["users", "remove", "nobody"], None, 1, "There is no user named 'nobody'"),
        (["users", "set-role", "nobody", "admin"], None, 1, "There is no user named 'nobody'"),
        (["tokens", "create", "nobody"], None, 1, "There is no user named 'nobody'"),
        (["tokens", "revoke", "12"], None, 1, "There is no token 12"),
        (["tokens", "revoke", "x"], None, 2, "invalid int value"),
        (["users"], None, 2, "required"),
    ],
)
def test_bad_commands_say_why(glassbox, args, stdin, code, message):
    done = glassbox(*args, stdin=stdin)
    assert done.returncode == code
    assert message in done.stderr


def test_adding_a_user_twice_says_so(glassbox):
    assert glassbox("users", "add", "ana", "--password-stdin", stdin="a-long-password\n").returncode == 0
    again = glassbox("users", "add", "ana", "--password-stdin", stdin="a-long-password\n")
    assert again.returncode == 1 and "exists already" in again.stderr


def test_tokens_create_prints_the_token_once_and_revoke_ends_it(glassbox):
    glassbox("users", "add", "ana", "--role", "editor", "--no-password")
    created = glassbox("tokens", "create", "ana", "--name", "ci")
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    assert token.startswith("gbx_") and len(token) > 40
    assert accounts.token_user(glassbox.engine, token).name == "ana"
    [row] = accounts.list_tokens(glassbox.engine, "ana")
    assert row["name"] == "ci" and token not in str(row)  # only its hash is stored

    listing = glassbox("tokens", "list")
    assert token not in listing.stdout and "ci" in listing.stdout
    revoked = glassbox("tokens", "revoke", str(row["id"]))
    assert revoked.returncode == 0
    assert accounts.token_user(glassbox.engine, token) is None
    assert [e["action"] for e in audit.query(glassbox.engine, action="token.")] == ["token.revoke", "token.create"]
