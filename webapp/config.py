"""Every setting of the app, read from ``GLASSBOX_*`` environment variables.

Config is layered: defaults, then the environment, then the mapping a test passes to
``create_app``. The README's configuration table is checked against ``SETTINGS`` by a test.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models import limits
from models.access import ROLES
from models.datasets import DEFAULT_DATA_DIR
from models.logs import uploads

PREFIX = "GLASSBOX_"
DEV_SECRET_KEY = "glassbox-dev-secret-change-me"  # the former default: public, so refused (webapp.security)


class ConfigError(ValueError):
    """A setting has a value the app cannot use; the message names the variable."""


@dataclass(frozen=True)
class Setting:
    key: str
    default: Any
    help: str
    parse: Callable[[str], Any] = str

    @property
    def env(self) -> str:
        return PREFIX + self.key


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise ValueError("must be a positive integer")
    return value


def _path_list(text: str) -> tuple[str, ...]:
    """``os.pathsep``-separated paths or glob patterns, ``~`` expanded, blanks dropped."""
    return tuple(os.path.expanduser(part.strip()) for part in text.split(os.pathsep) if part.strip())


def _comma_list(text: str) -> tuple[str, ...]:
    """Comma-separated folders or URLs (``s3://`` URLs hold colons, so not ``os.pathsep``), blanks dropped."""
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _switch(text: str) -> bool:
    value = text.strip().lower()
    if value not in {"1", "0", "true", "false", "yes", "no", "on", "off"}:
        raise ValueError("must be 1 or 0 (or true/false, yes/no, on/off)")
    return value in {"1", "true", "yes", "on"}


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError("must be 0 or a positive integer")
    return value


AUTH_MODES = ("none", "password", "oidc", "proxy")


def _auth_mode(text: str) -> str:
    value = text.strip().lower()
    if value not in AUTH_MODES:
        raise ValueError(f"must be one of {', '.join(AUTH_MODES)}")
    return value


def _role(text: str) -> str:
    value = text.strip().lower()
    if value not in ROLES:
        raise ValueError(f"must be one of {', '.join(ROLES)}")
    return value


def _role_map(text: str) -> dict[str, str]:
    """A JSON object from group (or role claim value) to Glassbox role, e.g. ``{"glassbox-admins": "admin"}``."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f'must be a JSON object like {{"glassbox-admins": "admin"}} ({exc.msg})') from None
    if not isinstance(value, dict) or not all(isinstance(k, str) and v in ROLES for k, v in value.items()):
        raise ValueError(f"must be a JSON object from group names to one of {', '.join(ROLES)}")
    return value


def _csv(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _log_level(text: str) -> str:
    level = text.strip().upper()
    if level not in logging.getLevelNamesMapping():
        raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
    return level


SETTINGS: tuple[Setting, ...] = (
    Setting("DATA_DIR", str(DEFAULT_DATA_DIR), "Data and cache directory: fetched datasets, job cache, SQLite file."),
    Setting("DATA_MIRROR", None, "Folder laid out like `shared/data/<name>/...`; replaces dataset downloads."),
    Setting("DATABASE_URL", None, "SQLAlchemy URL. Default: `sqlite:///<DATA_DIR>/glassbox.db`."),
    Setting("REDIS_URL", None, "When set, background jobs run on Celery with this Redis broker; else diskcache."),
    Setting("CACHE_DIR", None, "diskcache folder for background jobs. Default: `<DATA_DIR>/cache`."),
    Setting(
        "SECRET_KEY",
        None,
        "Flask secret key; signs background-job handles. Required unless the server listens on loopback only.",
    ),
    Setting("MAX_UPLOAD_MB", 200, "Largest accepted upload or request body, in MiB.", _positive_int),
    Setting(
        "MAX_INFLATED_MB",
        limits.DEFAULT_MAX_INFLATED_MB,
        "Most bytes, in MiB, a compressed upload (a `.gz` log, a Parquet file) may hold once read.",
        _positive_int,
    ),
    Setting("MAX_LOG_LINES", limits.DEFAULT_MAX_LOG_LINES, "Most lines an uploaded log may have.", _positive_int),
    Setting(
        "MAX_GZIP_RATIO",
        limits.DEFAULT_MAX_GZIP_RATIO,
        "Most bytes out per compressed byte in a gzip log, uploaded or on the server (a bomb is refused).",
        _positive_int,
    ),
    Setting(
        "MAX_TABLE_CELLS",
        limits.DEFAULT_MAX_TABLE_CELLS,
        "Most rows × columns of an uploaded table (CSV, or Parquet checked from its footer).",
        _positive_int,
    ),
    Setting(
        "UPLOAD_CLIENT_MB",
        uploads.DEFAULT_CLIENT_MB,
        "Most MiB of unfinished chunked uploads one client (address) may park on the server.",
        _positive_int,
    ),
    Setting(
        "UPLOAD_TOTAL_MB",
        uploads.DEFAULT_TOTAL_MB,
        "Most MiB of unfinished chunked uploads all clients together may park on the server.",
        _positive_int,
    ),
    Setting(
        "UPLOAD_STALE_MINUTES",
        uploads.DEFAULT_STALE_MINUTES,
        "Minutes after its last chunk an unfinished upload is removed.",
        _positive_int,
    ),
    Setting("API_MAX_BODY_KB", 8192, "Largest request body under `/api/`, in KiB (larger: HTTP 413).", _positive_int),
    Setting("API_MAX_JSON_DEPTH", 32, "Deepest JSON nesting the API accepts (deeper: HTTP 400).", _positive_int),
    Setting("API_MAX_TEXTS", 1000, "Most texts one `POST /api/sentiment/predict` may send.", _positive_int),
    Setting("API_MAX_TEXT_CHARS", 5000, "Longest text, in characters, the sentiment API accepts.", _positive_int),
    Setting(
        "SENTIMENT_CONFIRM_ROWS",
        50,
        "Relabelling more tweets than this in one click asks for confirmation (Sentiment page).",
        _positive_int,
    ),
    Setting(
        "SENTIMENT_MIN_PER_CLASS",
        5,
        "Fewest labelled training rows per class the Sentiment page trains a model with; fewer: the labelling "
        "queue starts from a diverse sample.",
        _positive_int,
    ),
    Setting(
        "SENTIMENT_RETRAIN_EVERY",
        10,
        "The labelling queue retrains the model in the background after this many answers (Sentiment page).",
        _positive_int,
    ),
    Setting(
        "DASK_SCHEDULER",
        None,
        "dask.distributed scheduler address that builds Parquet datasets' cubes; unset: a LocalCluster per build.",
    ),
    Setting("DASK_WORKERS", 2, "Workers of the LocalCluster a cube build starts (no scheduler set).", _positive_int),
    Setting("DASK_THREADS", 1, "Threads per worker of that LocalCluster.", _positive_int),
    Setting("DASK_MEMORY_LIMIT", "2GiB", "Memory limit per worker of that LocalCluster (`2GiB`, `auto`)."),
    Setting(
        "DASK_TIMEOUT_S",
        10,
        "Seconds to wait for the Dask scheduler before saying it cannot be reached.",
        _positive_int,
    ),
    Setting(
        "LOG_DATASETS",
        (),
        "Parquet datasets (folders or fsspec URLs, comma-separated) the Logs page may open.",
        _comma_list,
    ),
    Setting("LOG_LEVEL", "INFO", "Python logging level for the app's loggers.", _log_level),
    Setting(
        "LOG_PATHS",
        (),
        "Log files or glob patterns on the server the Logs page may open (os.pathsep-separated).",
        _path_list,
    ),
    Setting(
        "LOG_EARLY_BUILDS",
        2,
        "Most server logs parsed at once in a process started as soon as the Logs page asks for one (before its "
        "background job starts); past that (or at 0) the job parses them.",
        _non_negative_int,
    ),
    Setting(
        "AUTH",
        None,
        "Sign-in: `password`, `oidc`, `proxy` or `none` (open; README: Sign-in). Required unless the server "
        "listens on loopback only.",
        _auth_mode,
    ),
    Setting("SESSION_HOURS", 12, "Hours a sign-in lasts; then the session cookie expires.", _positive_int),
    Setting("LOGIN_MAX_FAILURES", 5, "Failed sign-ins one address may make per window before HTTP 429.", _positive_int),
    Setting("LOGIN_WINDOW_SECONDS", 900, "The window, in seconds, of `LOGIN_MAX_FAILURES`.", _positive_int),
    Setting(
        "PROXY_HOPS",
        0,
        "Reverse proxies in front whose X-Forwarded-For/-Proto/-Host to trust (HTTPS detection, client address).",
        _non_negative_int,
    ),
    Setting("OIDC_ISSUER", None, "OIDC: the provider's issuer URL (its `/.well-known/openid-configuration` is read)."),
    Setting("OIDC_CLIENT_ID", None, "OIDC: this app's client id at the provider."),
    Setting("OIDC_CLIENT_SECRET", None, "OIDC: this app's client secret at the provider."),
    Setting("OIDC_SCOPES", "openid profile email", "OIDC: scopes to ask for (add `groups` if the provider needs it)."),
    Setting("OIDC_NAME_CLAIM", "preferred_username", "OIDC: the ID-token claim that names the user (else `sub`)."),
    Setting("OIDC_ROLES_CLAIM", "groups", "OIDC: the claim (a list or a string) whose values `OIDC_ROLES` maps."),
    Setting(
        "OIDC_ROLES",
        {},
        'OIDC: JSON from claim values to roles, e.g. `{"glassbox-admins": "admin", "analysts": "editor"}`; the highest wins.',
        _role_map,
    ),
    Setting("OIDC_DEFAULT_ROLE", "viewer", "OIDC: the role of a user no `OIDC_ROLES` entry matches.", _role),
    Setting("PROXY_USER_HEADER", "X-Forwarded-User", "Proxy: the header the sign-in proxy names the user in."),
    Setting("PROXY_GROUPS_HEADER", "X-Forwarded-Groups", "Proxy: the header with the user's groups (commas)."),
    Setting(
        "PROXY_ADDRESSES",
        ("127.0.0.1", "::1"),
        "Proxy: addresses or networks (commas) the identity headers are accepted from; others get HTTP 403.",
        _csv,
    ),
    Setting("PROXY_ROLES", {}, "Proxy: JSON from group names to roles, like `OIDC_ROLES`.", _role_map),
    Setting("PROXY_DEFAULT_ROLE", "viewer", "Proxy: the role of a user no `PROXY_ROLES` entry matches.", _role),
    Setting("PROXY_SIGN_OUT_URL", "/oauth2/sign_out", "Proxy: where the navbar's Sign out goes (oauth2-proxy's)."),
    Setting(
        "NN_WARM_TRAINER",
        True,
        "Keep a spare NN trainer with TensorFlow loaded, so Train starts without its start-up; 0: a fresh one per run.",
        _switch,
    ),
)


def load_config(overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> dict:
    """Resolve every setting: defaults, then ``GLASSBOX_*`` variables, then ``overrides``.

    Returns:
        A mapping of Flask config keys (``DATA_DIR``, ``DATABASE_URL`` ...) plus the derived
        ``MAX_UPLOAD_BYTES`` and ``MAX_CONTENT_LENGTH`` (request body limit) in bytes.

    Raises:
        ConfigError: an environment value cannot be parsed; the message names the variable.
    """
    environ = os.environ if environ is None else environ
    config: dict[str, Any] = {s.key: s.default for s in SETTINGS}
    for setting in SETTINGS:
        raw = environ.get(setting.env)
        if raw is None or raw == "":
            continue
        try:
            config[setting.key] = setting.parse(raw)
        except ValueError as exc:
            raise ConfigError(f"{setting.env}={raw!r} is not valid: {exc}.") from None
    config.update(overrides or {})
    for key in ("OIDC_ROLES", "PROXY_ROLES"):
        if isinstance(config[key], str):
            config[key] = _role_map(config[key])
    if isinstance(config["PROXY_ADDRESSES"], str):
        config["PROXY_ADDRESSES"] = _csv(config["PROXY_ADDRESSES"])
    if isinstance(config["LOG_PATHS"], str):
        config["LOG_PATHS"] = _path_list(config["LOG_PATHS"])
    config["LOG_PATHS"] = tuple(str(p) for p in config["LOG_PATHS"])
    if isinstance(config["LOG_DATASETS"], str):
        config["LOG_DATASETS"] = _comma_list(config["LOG_DATASETS"])
    config["LOG_DATASETS"] = tuple(str(p) for p in config["LOG_DATASETS"])

    data_dir = Path(config["DATA_DIR"]).expanduser()
    config["DATA_DIR"] = str(data_dir)
    config["CACHE_DIR"] = config["CACHE_DIR"] or str(data_dir / "cache")
    config["DATABASE_URL"] = config["DATABASE_URL"] or f"sqlite:///{data_dir / 'glassbox.db'}"
    # Uploads reach Dash base64-encoded (4/3 larger) inside a JSON body; the body limit leaves
    # room for that so a file just under the limit gets through and one over it gets a message.
    config["MAX_UPLOAD_BYTES"] = int(config["MAX_UPLOAD_MB"]) * 1024 * 1024
    config["MAX_CONTENT_LENGTH"] = config["MAX_UPLOAD_BYTES"] * 4 // 3 + 64 * 1024
    config["API_MAX_BODY_BYTES"] = int(config["API_MAX_BODY_KB"]) * 1024
    return config
