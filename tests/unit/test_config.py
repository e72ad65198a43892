import re
from pathlib import Path

import pytest

from webapp.config import SETTINGS, ConfigError, load_config

README = Path(__file__).resolve().parents[2] / "README.md"


def test_defaults_derive_database_and_cache_from_data_dir(tmp_path):
    config = load_config(environ={"GLASSBOX_DATA_DIR": str(tmp_path)})
    assert config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'glassbox.db'}"
    assert config["CACHE_DIR"] == str(tmp_path / "cache")
    assert config["MAX_UPLOAD_BYTES"] == 200 * 1024 * 1024
    assert config["MAX_CONTENT_LENGTH"] > config["MAX_UPLOAD_BYTES"] * 4 // 3
    assert config["REDIS_URL"] is None


def test_environment_then_overrides_win():
    environ = {"GLASSBOX_MAX_UPLOAD_MB": "5", "GLASSBOX_LOG_LEVEL": "debug", "GLASSBOX_SECRET_KEY": "from-env"}
    config = load_config({"SECRET_KEY": "from-test"}, environ=environ)
    assert config["MAX_UPLOAD_BYTES"] == 5 * 1024 * 1024
    assert config["LOG_LEVEL"] == "DEBUG"
    assert config["SECRET_KEY"] == "from-test"


def test_empty_variable_means_default():
    assert load_config(environ={"GLASSBOX_MAX_UPLOAD_MB": ""})["MAX_UPLOAD_MB"] == 200


def test_warm_trainer_switch():
    assert load_config(environ={})["NN_WARM_TRAINER"] is True
    assert load_config(environ={"GLASSBOX_NN_WARM_TRAINER": "0"})["NN_WARM_TRAINER"] is False
    assert load_config(environ={"GLASSBOX_NN_WARM_TRAINER": "off"})["NN_WARM_TRAINER"] is False


@pytest.mark.parametrize(
    "name, value",
    [
        ("GLASSBOX_MAX_UPLOAD_MB", "lots"),
        ("GLASSBOX_MAX_UPLOAD_MB", "0"),
        ("GLASSBOX_LOG_LEVEL", "LOUD"),
        ("GLASSBOX_NN_WARM_TRAINER", "maybe"),
    ],
)
def test_bad_values_name_the_variable(name, value):
    with pytest.raises(ConfigError, match=name):
        load_config(environ={name: value})


def test_readme_documents_every_setting():
    table = README.read_text()
    documented = set(re.findall(r"`(GLASSBOX_[A-Z_]+)`", table))
    assert {s.env for s in SETTINGS} <= documented
