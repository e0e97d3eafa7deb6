"""The per-user pairing secret: what proves to the extension that a companion is this user's.

By default each user has their own random secret, created on first use (``secondlook serve``,
``secondlook native-host`` or ``secondlook token``) in a 0600 file inside a 0700 folder of the
user's config folder. It is written through ``os.open(O_CREAT | O_EXCL, 0o600)``, so it is
never readable by others, not even for a moment, and two processes creating it at once
agree on one value. IT may set it instead (``[server] token`` in the config or the managed
policy, or ``$SECONDLOOK_TOKEN``); that value then wins.
"""

from __future__ import annotations

import os
import secrets
import stat
import time
from pathlib import Path

from .config import Config, ConfigError, user_config_dir

FOLDER = "private"
FILE = "pairing-secret"
_READ_RETRIES = 40  # another process may be writing the file right now: up to 2 s


def secret_path() -> Path:
    return user_config_dir() / FOLDER / FILE


def _private_folder(folder: Path) -> None:
    folder.parent.mkdir(parents=True, exist_ok=True)
    try:
        folder.mkdir(mode=0o700)
    except FileExistsError:
        info = folder.lstat()
        if not stat.S_ISDIR(info.st_mode):
            raise ConfigError(f"{folder}: expected a folder for the pairing secret") from None
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            raise ConfigError(f"{folder}: belongs to another user; remove it") from None
        if os.name == "posix" and stat.S_IMODE(info.st_mode) & 0o077:
            os.chmod(folder, 0o700)


def _read(path: Path) -> str | None:
    """The secret in ``path`` (None when absent); waits briefly for a writer in progress."""
    for _ in range(_READ_RETRIES):
        try:
            value = path.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read the pairing secret ({exc})") from None
        if value:
            return value
        time.sleep(0.05)
    raise ConfigError(f"{path}: the pairing secret is empty; delete the file to create a new one")


def ensure_user_secret(path: Path | None = None) -> str:
    """This user's secret, created if there is none yet."""
    path = path or secret_path()
    existing = _read(path)
    if existing is not None:
        return existing
    _private_folder(path.parent)
    value = secrets.token_hex(32)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:  # created by another process meanwhile: use that one
        return _read(path) or ""
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(value + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return value


def resolve_secret(config: Config) -> tuple[str, str]:
    """(secret, where it comes from): the configured token if any, else the user's secret file."""
    if config.server.token:
        source = config.sources.get("server.token", "config")
        return config.server.token, (f"managed policy {config.policy_path}" if source == "policy" else source)
    return ensure_user_secret(), str(secret_path())


def readable_by_others(path: Path) -> str | None:
    """Why ``path`` (a file holding the secret, or its folder) is exposed, or None."""
    if os.name != "posix":
        return None  # Windows: the per-user profile's ACLs apply
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return None
    if mode & 0o077:
        who = " and ".join(w for w, bits in (("group", 0o070), ("others", 0o007)) if mode & bits)
        return f"{path} is open to {who} (mode {mode:04o})"
    return None
