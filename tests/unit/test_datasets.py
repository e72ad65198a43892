import hashlib
import http.server
import io
import threading
import zipfile
from pathlib import Path

import pytest

from models import datasets
from models.datasets import (
    Dataset,
    DatasetChecksumError,
    DatasetNotFoundError,
    RemoteFile,
    fetch_dataset,
)

CONTENT = b"price,S\n1.0,100\n"
SHA = hashlib.sha256(CONTENT).hexdigest()


@pytest.fixture
def toy(monkeypatch):
    """Register a one-file dataset whose URL is filled in by each test."""

    def register(url, member=None, sha=SHA):
        dataset = Dataset("toy", "a toy", (RemoteFile("sub/toy.csv", url, sha, member=member),))
        monkeypatch.setitem(datasets.DATASETS, "toy", dataset)

    return register


@pytest.fixture
def http_root(tmp_path):
    """A real HTTP server on loopback serving files from a folder."""
    root = tmp_path / "www"
    root.mkdir()
    handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(*a, directory=str(root), **k)  # noqa: E731
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_mirror_replaces_download_and_is_cached(tmp_path, toy):
    toy("http://127.0.0.1:9/unreachable")
    mirror = tmp_path / "mirror"
    (mirror / "toy" / "sub").mkdir(parents=True)
    (mirror / "toy" / "sub" / "toy.csv").write_bytes(CONTENT)
    folder = fetch_dataset("toy", data_home=tmp_path / "home", mirror=mirror)
    assert (folder / "sub" / "toy.csv").read_bytes() == CONTENT
    # Second call serves the cache: the mirror can disappear.
    (mirror / "toy" / "sub" / "toy.csv").unlink()
    assert fetch_dataset("toy", data_home=tmp_path / "home", mirror=mirror) == folder


def test_missing_mirror_file_names_the_setting(tmp_path, toy):
    toy("http://127.0.0.1:9/unreachable")
    with pytest.raises(DatasetNotFoundError, match="GLASSBOX_DATA_MIRROR"):
        fetch_dataset("toy", data_home=tmp_path, mirror=tmp_path / "empty")


def test_checksum_mismatch_leaves_nothing_in_cache(tmp_path, toy):
    toy("http://127.0.0.1:9/unreachable")
    mirror = tmp_path / "mirror"
    (mirror / "toy" / "sub").mkdir(parents=True)
    (mirror / "toy" / "sub" / "toy.csv").write_bytes(CONTENT + b"tampered")
    with pytest.raises(DatasetChecksumError, match="sha256"):
        fetch_dataset("toy", data_home=tmp_path / "home", mirror=mirror)
    assert not any((tmp_path / "home").rglob("*.csv*"))


def test_downloads_over_http_once(tmp_path, toy, http_root):
    root, base = http_root
    (root / "toy.csv").write_bytes(CONTENT)
    toy(f"{base}/toy.csv")
    folder = fetch_dataset("toy", data_home=tmp_path / "home", mirror="")
    assert (folder / "sub" / "toy.csv").read_bytes() == CONTENT
    (root / "toy.csv").unlink()
    fetch_dataset("toy", data_home=tmp_path / "home", mirror="")  # cached: no second request


def test_downloads_a_member_of_a_zip(tmp_path, toy, http_root):
    root, base = http_root
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("tutorialdata/other/toy.csv", b"not this one")
        archive.writestr("tutorialdata/sub/toy.csv", CONTENT)
    (root / "bundle.zip").write_bytes(buffer.getvalue())
    toy(f"{base}/bundle.zip", member="sub/toy.csv")
    folder = fetch_dataset("toy", data_home=tmp_path / "home", mirror="")
    assert (folder / "sub" / "toy.csv").read_bytes() == CONTENT


def test_unreachable_source_names_the_mirror_setting(tmp_path, toy, http_root):
    _, base = http_root
    toy(f"{base}/missing.csv")
    with pytest.raises(DatasetNotFoundError, match="GLASSBOX_DATA_MIRROR"):
        fetch_dataset("toy", data_home=tmp_path, mirror="")


def test_unknown_dataset_lists_known_ones(tmp_path):
    with pytest.raises(DatasetNotFoundError, match="bls_prices"):
        fetch_dataset("nope", data_home=tmp_path)


@pytest.mark.parametrize("name", sorted(datasets.DATASETS))
def test_every_registered_dataset_fetches_from_the_shared_mirror(tmp_path, name):
    folder = fetch_dataset(name, data_home=tmp_path)
    for remote in datasets.DATASETS[name].files:
        assert hashlib.sha256((folder / remote.path).read_bytes()).hexdigest() == remote.sha256


def test_data_home_defaults_to_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("GLASSBOX_DATA_DIR", str(tmp_path / "elsewhere"))
    assert datasets.get_data_home() == Path(tmp_path / "elsewhere")
