"""Public datasets, fetched once and cached, in the manner of scikit-learn's ``fetch_*``.

Each dataset is a list of files with a public source URL and a sha256. ``fetch_dataset`` copies
them into ``<data_home>/datasets/<name>/`` the first time it is asked, from the source URL or,
when a mirror directory is set, from ``<mirror>/<name>/<path>`` instead (no network needed).
A file is only ever moved into the cache after its checksum matched, so the cache never holds
a truncated or tampered copy.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

DATA_DIR_ENV = "GLASSBOX_DATA_DIR"
MIRROR_ENV = "GLASSBOX_DATA_MIRROR"
DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "data"
_TIMEOUT_S = 60


@dataclass(frozen=True)
class RemoteFile:
    """One file of a dataset.

    Attributes:
        path: Path inside the dataset folder, the same in the cache and in a mirror.
        url: Public source. For an archive, the archive's URL.
        sha256: Checksum of the file itself (of the member, for an archive).
        member: Suffix of the wanted member's name when ``url`` is a zip archive.
    """

    path: str
    url: str
    sha256: str
    member: str | None = None


@dataclass(frozen=True)
class Dataset:
    name: str
    description: str
    files: tuple[RemoteFile, ...]


def _gh(repo: str, commit: str, path: str) -> str:
    return f"https://raw.githubusercontent.com/{repo}/{commit}/{path}"


_BUTTERCUP_ZIP = _gh(
    "martekbarek/Splunk-playground", "6e5318dfa427e7d4ab2700b08b7e293573aabfb4", "test_data/tutorialdata.zip"
)
_TWEETS = ("umaima-aman/Twee_Sentiment_Analysis-DeepLearning", "a313e15137569549fd5e86b27c88e1945bf88168")

DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in (
        Dataset(
            "buttercup_games_access_logs",
            "Splunk tutorial web-shop access logs (Apache combined + request time), 3 servers.",
            tuple(
                RemoteFile(f"www{i}/access.log", _BUTTERCUP_ZIP, sha, member=f"www{i}/access.log")
                for i, sha in (
                    (1, "46ecead5a512a6c669a101ea0c75a7161e493a3ab78bf50407ba7e23d1eb08d8"),
                    (2, "e853b83d403620bbac4ef2fed53c92ea286f5ea9f7966256ea174e142e193323"),
                    (3, "9d682c2bc7e9b18699238afb582fa06c64eabc0485eac1343084a55fc9bd964a"),
                )
            ),
        ),
        Dataset(
            "twitter_financial_news_sentiment",
            "Financial news tweets labelled 0=Bearish, 1=Bullish, 2=Neutral (train/valid split).",
            (
                RemoteFile(
                    "sent_train.csv",
                    _gh(*_TWEETS, "sent_train.csv"),
                    "184e6322b7f0e84c3103a83d198f1be8203de8b63a857f67a2964321b71c4e8d",
                ),
                RemoteFile(
                    "sent_valid.csv",
                    _gh(*_TWEETS, "sent_valid.csv"),
                    "393572beac5064ed60c9f608a57dc66af2b41a91b89c149932d5c57f827e25da",
                ),
            ),
        ),
        Dataset(
            "bls_prices",
            "Black-Scholes call prices (price,S,T,sigma,moneyness), 10,000 rows.",
            (
                RemoteFile(
                    "bls_prices.csv",
                    _gh(
                        "ChakriCherukuri/mlviz",
                        "c5030dbee8423834781cb5e31423c9c35e2c0679",
                        "notebooks/deep-learning/neural-net-builder/bls_prices.csv",
                    ),
                    "025c7be7585479b09a08311e1e9886a23093509c8d56d1050beacdcdcd29488c",
                ),
            ),
        ),
        Dataset(
            "sp500_daily",
            "S&P 500 index daily OHLC, 1927-12-30 .. 2023-12-28.",
            (
                RemoteFile(
                    "GSPC.csv",
                    _gh("fja05680/stock_market_calendar", "7041e86bf1f3a18c7b0a24a2fbb27031dc1388c5", "%5EGSPC.csv"),
                    "baf4e47ab3d5f1328ab22772a836f3579af810d861a95742fd472f33ba180a7c",
                ),
            ),
        ),
    )
}


class DatasetError(RuntimeError):
    """A dataset could not be made available; the message says what to set or fix."""


class DatasetNotFoundError(DatasetError, FileNotFoundError):
    """Neither the mirror nor the source could provide a file."""


class DatasetChecksumError(DatasetError):
    """A file arrived but its sha256 is not the expected one."""


def get_data_home(data_home: str | os.PathLike | None = None) -> Path:
    """The data directory: the argument, else ``GLASSBOX_DATA_DIR``, else the repository's ``data/``."""
    home = Path(data_home or os.environ.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR).expanduser()
    home.mkdir(parents=True, exist_ok=True)
    return home


def fetch_dataset(
    name: str,
    *,
    data_home: str | os.PathLike | None = None,
    mirror: str | os.PathLike | None = None,
) -> Path:
    """Make a dataset's files available locally and return its folder.

    Args:
        name: A key of ``DATASETS``.
        data_home: Cache root; see ``get_data_home``.
        mirror: Folder laid out as ``<mirror>/<name>/<path>`` that replaces the download;
            defaults to ``GLASSBOX_DATA_MIRROR``.

    Returns:
        ``<data_home>/datasets/<name>``, holding every file of the dataset.

    Raises:
        DatasetNotFoundError: a file is in neither the mirror nor reachable at its URL.
        DatasetChecksumError: a file's content does not match its sha256.
    """
    try:
        dataset = DATASETS[name]
    except KeyError:
        raise DatasetNotFoundError(f"Unknown dataset {name!r}; known: {', '.join(sorted(DATASETS))}.") from None
    mirror = mirror if mirror is not None else os.environ.get(MIRROR_ENV) or None
    folder = get_data_home(data_home) / "datasets" / name
    for remote in dataset.files:
        target = folder / remote.path
        if target.is_file():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        payload = _from_mirror(name, remote, Path(mirror)) if mirror else _download(name, remote)
        _install(payload, target, name, remote)
    return folder


def _from_mirror(name: str, remote: RemoteFile, mirror: Path) -> bytes:
    source = mirror / name / remote.path
    if not source.is_file():
        raise DatasetNotFoundError(
            f"Dataset {name!r}: {source} does not exist. {MIRROR_ENV} is set to {str(mirror)!r}; point it at a "
            f"folder laid out as <mirror>/{name}/{remote.path}, or unset it to download from {remote.url}."
        )
    return source.read_bytes()


def _download(name: str, remote: RemoteFile) -> bytes:
    try:
        with urllib.request.urlopen(remote.url, timeout=_TIMEOUT_S) as response:
            body = response.read()
    except (urllib.error.URLError, OSError) as exc:
        raise DatasetNotFoundError(
            f"Dataset {name!r}: could not download {remote.url} ({exc}). Without network access, set "
            f"{MIRROR_ENV} to a folder laid out as <mirror>/{name}/{remote.path}."
        ) from exc
    if remote.member is None:
        return body
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            members = [m for m in archive.namelist() if m.replace("\\", "/").endswith(remote.member)]
            if not members:
                raise DatasetNotFoundError(f"Dataset {name!r}: {remote.url} has no member ending in {remote.member}.")
            return archive.read(min(members, key=len))
    except zipfile.BadZipFile as exc:
        raise DatasetChecksumError(f"Dataset {name!r}: {remote.url} is not a zip archive.") from exc


def _install(payload: bytes, target: Path, name: str, remote: RemoteFile) -> None:
    digest = hashlib.sha256(payload).hexdigest()
    if digest != remote.sha256:
        raise DatasetChecksumError(
            f"Dataset {name!r}: {remote.path} has sha256 {digest}, expected {remote.sha256}. "
            f"The source or mirror copy is not the published file."
        )
    # Write beside the target then rename: readers never see a half-written file.
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
