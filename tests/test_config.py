"""Configuration: precedence, validation messages naming file, key and expectation."""

from __future__ import annotations

from pathlib import Path

import pytest

from companion.config import (DEFAULT_PORT, EXTENSION_ID, ConfigError, load_config,
                              user_config_dir)


def write(tmp_path: Path, text: str, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_any_file(tmp_path: Path) -> None:
    config = load_config(env={"XDG_CONFIG_HOME": str(tmp_path)})
    assert config.server.port == DEFAULT_PORT
    assert config.server.host == "127.0.0.1"
    assert config.server.max_chars == 20000
    assert config.server.token == ""
    assert config.policy.warn_level == "medium"
    assert config.policy.allowed_extension_ids == (EXTENSION_ID,)
    assert any("medigate" in site for site in config.policy.sites)
    assert config.path is None
    assert set(config.sources.values()) == {"default"}


def test_precedence_defaults_file_env_flags(tmp_path: Path) -> None:
    path = write(tmp_path, '[server]\nport = 5000\ntoken = "file-token-0123456789"\nmax_chars = 100\n')
    env = {"SECONDLOOK_TOKEN": "env-token-0123456789abc"}
    config = load_config(path, env=env, overrides={"server.port": 6000, "server.host": None})
    assert config.server.port == 6000 and config.sources["server.port"] == "flag"
    assert config.server.token == "env-token-0123456789abc" and config.sources["server.token"] == "env"
    assert config.server.max_chars == 100 and config.sources["server.max_chars"] == str(path)
    assert config.sources["server.host"] == "default"


def test_config_path_from_environment(tmp_path: Path) -> None:
    path = write(tmp_path, "[policy]\nmode = \"block\"\n", "other.toml")
    config = load_config(env={"SECONDLOOK_CONFIG": str(path)})
    assert config.policy.mode == "block"


def test_default_file_in_user_config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert user_config_dir() == tmp_path / "secondlook"
    (tmp_path / "secondlook").mkdir()
    write(tmp_path / "secondlook", '[policy]\nfail_mode = "closed"\n')
    assert load_config(env={"XDG_CONFIG_HOME": str(tmp_path)}).policy.fail_mode == "closed"


@pytest.mark.parametrize("text, key, expectation", [
    ("[server]\nport = \"80\"\n", "server.port", "an integer from 1 to 65535"),
    ("[server]\nport = 70000\n", "server.port", "an integer from 1 to 65535"),
    ("[server]\nhost = \"0.0.0.0\"\n", "server.host", "a loopback address"),
    ("[server]\nbogus = 1\n", "server.bogus", "unknown key"),
    ("[nonsense]\nx = 1\n", "[nonsense]", "unknown section"),
    ("[server]\ntoken = \"short\"\n", "server.token", "16-256 printable"),
    ("[policy]\nmode = \"shout\"\n", "policy.mode", '"warn", "block"'),
    ("[policy]\nwarn_level = \"none\"\n", "policy.warn_level", '"low", "medium"'),
    ("[policy]\nsites = \"https://x.com/*\"\n", "policy.sites", "a list of match patterns"),
    ("[policy]\nsites = [\"not a pattern\"]\n", "policy.sites", "URL match pattern"),
    ("[policy]\nallowed_extension_ids = [\"xyz\"]\n", "policy.allowed_extension_ids", "32-letter"),
    ("[detection]\nthreshold = 1.5\n", "detection.threshold", "a number from 0 to 1"),
    ("[detection]\ncategories = [\"name\", \"gossip\"]\n", "detection.categories", '"harm"'),
    ("[detection]\ncategories = []\n", "detection.categories", "non-empty"),
    ("[detection]\nroster = \"missing.txt\"\n", "detection.roster", "does not exist"),
])
def test_bad_values_name_file_key_and_expectation(tmp_path: Path, text: str, key: str, expectation: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path, env={})
    message = str(info.value)
    assert str(path) in message and key in message and expectation in message


def test_broken_toml_and_missing_explicit_file(tmp_path: Path) -> None:
    path = write(tmp_path, "[server\nport = 1\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(path, env={})
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "absent.toml", env={})


def test_bad_env_token_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\$SECONDLOOK_TOKEN: server.token"):
        load_config(env={"XDG_CONFIG_HOME": str(tmp_path), "SECONDLOOK_TOKEN": "x y"})


def test_roster_is_resolved_next_to_the_config_file(tmp_path: Path) -> None:
    (tmp_path / "roster.txt").write_text("홍길동\n", encoding="utf-8")
    path = write(tmp_path, '[detection]\nroster = "roster.txt"\nallow = ["세브란스"]\nthreshold = 0.5\n')
    config = load_config(path, env={})
    assert config.detection.roster == tmp_path / "roster.txt"
    assert config.detection.allow == ("세브란스",)
    assert config.detection.threshold == 0.5
