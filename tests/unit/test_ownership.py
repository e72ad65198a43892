"""Ownership, visibility and attribution in models/ (no Dash), on SQLite and PostgreSQL: who sees which upload and
run, Undo scoped to its author, the export's authors, and rows from before sign-in (legacy, team)."""

from __future__ import annotations

import io

import pandas as pd
import pytest
import sqlalchemy as sa

from models import migrations
from models.access import LEGACY_OWNER, PRIVATE, TEAM, User
from models.logs.parse import parse_bytes
from models.logs.sources import UnknownSourceError, check_may_open, save_upload, uploaded_sources
from models.nn import store as nn_store
from models.nn.workspace import UnknownDatasetError as UnknownNNDataset
from models.nn.workspace import Workspace as NNWorkspace
from models.ownership import Ownership, OwnershipError, set_run_visibility
from models.sentiment import store as sentiment_store
from models.sentiment.workspace import UnknownDatasetError, Workspace

ANA, BOB, ADMIN, VIEWER = User("ana", "editor"), User("bob", "editor"), User("root", "admin"), User("vic", "viewer")


def tiny_tweets() -> pd.DataFrame:
    texts = [f"=tweet {i} shares {'soar' if i % 3 == 0 else 'fall' if i % 3 == 1 else 'flat'}" for i in range(30)]
    labels = [i % 3 for i in range(30)]
    return pd.DataFrame({"text": texts, "label": labels, "split": ["train"] * 20 + ["test"] * 10})


@pytest.fixture
def db(engine):
    return engine()


def test_an_upload_is_seen_by_its_owners_the_team_when_shared_and_admins(db):
    owners = Ownership(db)
    owners.claim("sentiment", "upload-aaaaaaaaaaaaaaaa", ANA.name)
    assert owners.may_see(ANA, "sentiment", "upload-aaaaaaaaaaaaaaaa")
    assert not owners.may_see(BOB, "sentiment", "upload-aaaaaaaaaaaaaaaa")
    assert not owners.may_see(VIEWER, "sentiment", "upload-aaaaaaaaaaaaaaaa")
    assert owners.may_see(ADMIN, "sentiment", "upload-aaaaaaaaaaaaaaaa")

    # Bob uploads the same bytes: his own private entry; sharing his does not change Ana's.
    owners.claim("sentiment", "upload-aaaaaaaaaaaaaaaa", BOB.name)
    owners.set_visibility(BOB, "sentiment", "upload-aaaaaaaaaaaaaaaa", TEAM)
    assert owners.may_see(VIEWER, "sentiment", "upload-aaaaaaaaaaaaaaaa")
    entries = {e["owner"]: e["visibility"] for e in owners.entries("sentiment", "upload-aaaaaaaaaaaaaaaa")}
    assert entries == {"ana": PRIVATE, "bob": TEAM}
    assert owners.entry_for(ANA, "sentiment", "upload-aaaaaaaaaaaaaaaa")["owner"] == "ana"  # her own entry first
    assert set(owners.visible(VIEWER, "sentiment")) == {"upload-aaaaaaaaaaaaaaaa"}

    owners.set_visibility(BOB, "sentiment", "upload-aaaaaaaaaaaaaaaa", PRIVATE)
    assert owners.visible(VIEWER, "sentiment") == {}
    # claiming again keeps the visibility chosen
    owners.set_visibility(ANA, "sentiment", "upload-aaaaaaaaaaaaaaaa", TEAM)
    owners.claim("sentiment", "upload-aaaaaaaaaaaaaaaa", ANA.name)
    assert owners.entry_for(ANA, "sentiment", "upload-aaaaaaaaaaaaaaaa")["visibility"] == TEAM


def test_only_an_owner_or_an_admin_changes_visibility_and_only_to_a_visibility(db):
    owners = Ownership(db)
    owners.claim("logs", "upload-bbbbbbbbbbbbbbbb", ANA.name)
    with pytest.raises(OwnershipError, match="bob"):
        owners.set_visibility(BOB, "logs", "upload-bbbbbbbbbbbbbbbb", TEAM, owner="ana")
    with pytest.raises(OwnershipError, match="no logs upload"):
        owners.set_visibility(BOB, "logs", "upload-bbbbbbbbbbbbbbbb", TEAM)  # he has no entry of his own
    with pytest.raises(OwnershipError, match="Visibility must be one of"):
        owners.set_visibility(ANA, "logs", "upload-bbbbbbbbbbbbbbbb", "public")
    assert owners.set_visibility(ADMIN, "logs", "upload-bbbbbbbbbbbbbbbb", TEAM, owner="ana") == "ana"
    assert owners.may_see(BOB, "logs", "upload-bbbbbbbbbbbbbbbb")


def test_an_upload_stored_before_ownership_is_legacy_and_seen_by_everyone(db):
    owners = Ownership(db)
    assert owners.may_see(VIEWER, "nn", "upload-cccccccccccccccc")
    assert owners.entry_for(VIEWER, "nn", "upload-cccccccccccccccc") == {
        "owner": LEGACY_OWNER,
        "visibility": TEAM,
        "name": None,
        "created_at": None,
    }


def test_sentiment_uploads_and_runs_are_filtered_by_visibility(db, tmp_path):
    workspace = Workspace(db, tmp_path)
    mine = workspace.save_dataset(tiny_tweets(), name="ana.csv", owner=ANA)
    assert mine in workspace.datasets(ANA) and "ana, private" in workspace.datasets(ANA)[mine]
    assert mine not in workspace.datasets(BOB) and mine in workspace.datasets(ADMIN)
    with pytest.raises(UnknownDatasetError, match="No dataset named"):
        workspace.dataset(mine, BOB)  # a crafted id reads as a missing dataset
    with pytest.raises(UnknownDatasetError):
        workspace.relabel(mine, [0], "positive", BOB)
    with pytest.raises(UnknownDatasetError):
        workspace.corrected_csv(mine, BOB)

    runs = workspace.runs
    private = runs.add(mine, {}, {"accuracy": 0.5}, 0, 1.0, "/r/1", owner="ana")
    assert runs.get(private, BOB) is None and runs.get(private, ANA)["owner"] == "ana"
    assert runs.latest(mine, user=BOB) is None and runs.latest(mine, user=ADMIN)["id"] == private
    with pytest.raises(Exception, match="no model run"):
        workspace.run_record(private, mine, BOB)

    workspace.owners.set_visibility(ANA, "sentiment", mine, TEAM)
    assert mine in workspace.datasets(BOB) and "ana, team" in workspace.datasets(BOB)[mine]
    assert runs.get(private, BOB) is None  # the dataset is shared; Ana's private run is still hers
    set_run_visibility(db, sentiment_store.runs, ANA, private, TEAM)
    assert workspace.run_record(private, mine, BOB)["id"] == private
    with pytest.raises(OwnershipError):
        set_run_visibility(db, sentiment_store.runs, BOB, private, PRIVATE)


def test_undo_undoes_the_users_own_latest_batch_and_an_admin_undoes_anyones(db, tmp_path):
    workspace = Workspace(db, tmp_path)
    dataset = workspace.save_dataset(tiny_tweets(), owner=ANA, visibility=TEAM)
    assert workspace.relabel(dataset, [0, 1], "positive", ANA) == 2
    assert workspace.relabel(dataset, [2], "negative", BOB) == 1  # Bob's batch is the newest

    assert workspace.undo(dataset, ANA) == (2, "ana")  # Ana's, not Bob's newer one
    assert workspace.undo(dataset, ANA) == (0, None)
    labels, mask = workspace.labels(dataset, ANA)
    assert mask.tolist()[:3] == [False, False, True]

    assert workspace.relabel(dataset, [5], "neutral", ANA) == 1
    assert workspace.undo(dataset, ADMIN) == (1, "ana")  # the newest batch, whoever made it
    assert workspace.undo(dataset, ADMIN) == (1, "bob")
    history = workspace.corrections.history(dataset)
    assert set(history["author"]) == {"ana", "bob"} and history["undone_at"].notna().all()


def test_the_corrected_csv_names_the_author_of_each_corrected_row(db, tmp_path):
    workspace = Workspace(db, tmp_path)
    dataset = workspace.save_dataset(tiny_tweets(), owner=ANA, visibility=TEAM)
    workspace.relabel(dataset, [0, 1], "positive", ANA)
    workspace.relabel(dataset, [1], "negative", BOB)  # Bob's later label wins for row 1, and so does his name
    workspace.relabel(dataset, [2], "neutral", BOB)
    assert workspace.undo(dataset, BOB) == (1, "bob")  # row 2's correction is undone: no author
    frame = pd.read_csv(io.StringIO(workspace.corrected_csv(dataset, BOB)), keep_default_na=False)
    assert list(frame.columns) == ["text", "label", "split", "corrected", "author"]
    assert frame.loc[:3, "author"].tolist() == ["ana", "bob", "", ""]
    assert frame.loc[:1, "label"].tolist() == ["positive", "negative"]
    assert frame.loc[0, "text"].startswith("'=")  # still neutralised


def test_nn_uploads_and_runs_are_filtered_by_visibility(db, tmp_path):
    workspace = NNWorkspace(db, tmp_path)
    csv = b"x,y\n" + b"".join(f"{i},{2 * i}\n".encode() for i in range(40))
    upload = workspace.describe_upload(csv, "line.csv", owner=ANA)["id"]
    assert workspace.dataset(f"{upload}?target=y", user=ANA).task == "regression"
    with pytest.raises(UnknownNNDataset, match="No dataset named"):
        workspace.dataset(f"{upload}?target=y", user=BOB)
    assert workspace.dataset(f"{upload}?target=y", user=ADMIN)

    runs = workspace.runs
    theirs = runs.add("digits", "classification", {}, [], {}, 1.0, "finished", "/nn/1", owner="ana")
    shared = runs.add("digits", "classification", {}, [], {}, 1.0, "finished", "/nn/2", owner="ana", visibility=TEAM)
    listed = runs.list(user=BOB)
    assert listed["id"].tolist() == [shared] and listed["owner"].tolist() == ["ana"]
    assert listed["visibility"].tolist() == [TEAM]
    assert runs.get(theirs, BOB) is None and runs.get(theirs, ADMIN)["owner"] == "ana"
    with pytest.raises(LookupError):
        workspace.result(theirs, user=BOB)
    assert sorted(runs.list(user=ADMIN)["id"]) == sorted([theirs, shared])


def test_log_uploads_are_opened_only_by_who_may_see_them(db, tmp_path):
    owners = Ownership(db)
    log = b'1.2.3.4 - - [10/Oct/2026:13:55:36 +0000] "GET /a HTTP/1.1" 200 12\n'
    source = save_upload(parse_bytes(log, name="a.log"), tmp_path, owners, ANA, name="a.log")
    check_may_open(source, ANA, owners)
    check_may_open("sample", BOB, owners)  # built-in sources are everyone's
    with pytest.raises(UnknownSourceError, match="No log data named"):
        check_may_open(source, BOB, owners)
    assert list(uploaded_sources(ANA, owners, tmp_path)) == [source]
    assert uploaded_sources(BOB, owners, tmp_path) == {}
    owners.set_visibility(ANA, "logs", source, TEAM)
    check_may_open(source, BOB, owners)
    assert uploaded_sources(BOB, owners, tmp_path)[source]["name"] == "a.log"


def test_a_database_from_before_sign_in_gives_its_rows_the_legacy_owner_and_team_visibility(db):
    from tests.auth.test_migrations import make_legacy

    make_legacy(db)
    migrations.upgrade(db)
    assert migrations.current(db) == "0003_ownership"
    with db.connect() as conn:
        owners = set(conn.execute(sa.select(sentiment_store.runs.c.owner, sentiment_store.runs.c.visibility)))
        nn_owners = set(conn.execute(sa.select(nn_store.runs.c.owner, nn_store.runs.c.visibility)))
        authors = set(conn.execute(sa.select(sentiment_store.corrections.c.author)).scalars())
    assert owners == nn_owners == {(LEGACY_OWNER, TEAM)}
    assert authors == {LEGACY_OWNER}
    # every user sees the legacy runs; Undo by a user leaves the legacy batches alone, an admin's undoes them
    assert sentiment_store.RunStore(db).latest("tweets", user=VIEWER) is not None
    assert len(nn_store.RunStore(db).list(user=VIEWER)) == 2
    corrections = sentiment_store.CorrectionStore(db)
    assert corrections.undo_batch("tweets", ANA) == (0, None)
    assert corrections.undo_batch("tweets", ADMIN) == (2, LEGACY_OWNER)
