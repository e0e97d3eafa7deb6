"""Shared fixtures: the real `secondlook serve` on a free loopback port (see companion_process)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from companion_process import Companion, start_companion
from forum_server import ForumServer


@pytest.fixture(scope="session", autouse=True)
def private_config_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """In-process code (create_app) finds its per-user secret here, never in the real home."""
    patch = pytest.MonkeyPatch()
    home = tmp_path_factory.mktemp("xdg-session")
    patch.setenv("XDG_CONFIG_HOME", str(home))
    yield home
    patch.undo()


@pytest.fixture
def companion_server(tmp_path: Path) -> Iterator:
    """Factory: ``companion_server(config_text=None, env=None, args=None, wait=True)``."""
    started: list[Companion] = []

    def factory(config_text: str | None = None, **kwargs) -> Companion:
        companion = start_companion(tmp_path, config_text, **kwargs)
        started.append(companion)
        return companion

    yield factory
    for companion in started:
        companion.stop()


@pytest.fixture(scope="session")
def companion(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Companion]:
    """One companion with default settings shared by read-only API tests."""
    running = start_companion(tmp_path_factory.mktemp("companion"))
    yield running
    running.stop()


#: The pairing secret of ``companion_with_token``.
FIXTURE_TOKEN = "fixture-token-0123456789abcdef"


@pytest.fixture(scope="module")
def companion_with_token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Companion]:
    """One companion per test module whose secret is ``FIXTURE_TOKEN`` (set as IT would, by env)."""
    running = start_companion(tmp_path_factory.mktemp("companion-token"), env={"SECONDLOOK_TOKEN": FIXTURE_TOKEN})
    yield running
    running.stop()


@pytest.fixture(scope="session")
def engine():
    """The real detection engine, built once per test session."""
    from engine_support import default_engine

    return default_engine()


@pytest.fixture(scope="session")
def forum() -> Iterator[ForumServer]:
    """The fixture board the Chromium and Firefox suites post to (tests/forum_server.py)."""
    server = ForumServer()
    yield server
    server.close()
