"""Registering ``secondlook native-host`` with the user's own browsers, as password managers do.

A native-messaging host is a JSON manifest naming a program and the extensions that may
start it. Per user, without administrator rights:

- Chrome, Chromium, Edge, Whale: a manifest in the browser's per-user ``NativeMessagingHosts``
  folder (Linux ``~/.config/<browser>/``, macOS ``~/Library/Application Support/<browser>/``),
  or on Windows a manifest file plus an ``HKCU\\Software\\<browser>\\NativeMessagingHosts\\<name>``
  registry key naming it; ``allowed_origins`` lists the allowed Chromium extension IDs.
- Firefox: ``~/.mozilla/native-messaging-hosts`` (macOS ``~/Library/Application Support/Mozilla/
  NativeMessagingHosts``, Windows ``HKCU\\Software\\Mozilla\\NativeMessagingHosts``) with
  ``allowed_extensions`` holding the gecko id.

Browsers start the host's ``path`` with arguments of their own, so the manifest points to a
small launcher that runs this installation's ``secondlook native-host`` with the service's
``--config``/``--policy``. Everything is produced by pure functions (checkable on any
platform, ``--dry-run``); registry keys are written with ``reg``.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

from ..native_host import HOST_NAME

#: Firefox's id of the extension (build.py writes it into the Firefox manifest).
GECKO_ID = "secondlook@secondlook.kr"
DESCRIPTION = "SecondLook companion: tells the SecondLook extension this user's pairing secret and port"
CHROMIUM_BROWSERS = {  # name: (Linux ~/.config folder, macOS Application Support folder, Windows registry)
    "chrome": ("google-chrome", "Google/Chrome", r"Software\Google\Chrome"),
    "chromium": ("chromium", "Chromium", r"Software\Chromium"),
    "edge": ("microsoft-edge", "Microsoft Edge", r"Software\Microsoft\Edge"),
    "whale": ("naver-whale", "Naver/Whale", r"Software\Naver\Whale"),
}
FIREFOX_REGISTRY = r"Software\Mozilla"


@dataclass(frozen=True)
class HostFile:
    path: Path
    content: bytes
    executable: bool = False


@dataclass(frozen=True)
class NativeHosts:
    files: tuple[HostFile, ...]
    #: ``reg add``/``reg delete`` commands (Windows only).
    register: tuple[tuple[str, ...], ...]
    unregister: tuple[tuple[str, ...], ...]


def chromium_manifest(launcher: Path, extension_ids: Sequence[str]) -> dict:
    return {"name": HOST_NAME, "description": DESCRIPTION, "path": str(launcher), "type": "stdio",
            "allowed_origins": [f"chrome-extension://{ext_id}/" for ext_id in extension_ids]}


def firefox_manifest(launcher: Path) -> dict:
    return {"name": HOST_NAME, "description": DESCRIPTION, "path": str(launcher), "type": "stdio",
            "allowed_extensions": [GECKO_ID]}


def launcher_script(platform: str, command: Sequence[str]) -> bytes:
    """The program the manifests name: runs ``command`` with the browser's arguments appended."""
    if platform == "windows":
        return ("@echo off\r\n" + subprocess.list2cmdline(command) + " %*\r\n").encode("utf-8")
    quoted = " ".join("'" + arg.replace("'", "'\\''") + "'" for arg in command)
    return f'#!/bin/sh\nexec {quoted} "$@"\n'.encode("utf-8")


def _json(data: dict) -> bytes:
    return (json.dumps(data, indent=2) + "\n").encode("utf-8")


def plan_native_hosts(platform: str, command: Sequence[str], extension_ids: Sequence[str],
                      env: Mapping[str, str] | None = None, home: Path | None = None) -> NativeHosts:
    """The launcher, every browser's manifest and (Windows) registry commands for this user."""
    env = os.environ if env is None else env
    home = home or Path.home()
    name = f"{HOST_NAME}.json"
    if platform == "windows":
        folder = Path(env.get("LOCALAPPDATA") or home / "AppData" / "Local") / "SecondLook" / "native-host"
        launcher = folder / "secondlook-native-host.bat"
        chromium_path, firefox_path = folder / f"{HOST_NAME}.chromium.json", folder / f"{HOST_NAME}.firefox.json"
        keys = [(rf"HKCU\{root}\NativeMessagingHosts\{HOST_NAME}", chromium_path)
                for _, _, root in CHROMIUM_BROWSERS.values()]
        keys.append((rf"HKCU\{FIREFOX_REGISTRY}\NativeMessagingHosts\{HOST_NAME}", firefox_path))
        return NativeHosts(
            files=(HostFile(launcher, launcher_script(platform, command)),
                   HostFile(chromium_path, _json(chromium_manifest(launcher, extension_ids))),
                   HostFile(firefox_path, _json(firefox_manifest(launcher)))),
            register=tuple(("reg", "add", key, "/ve", "/t", "REG_SZ", "/d", str(path), "/f") for key, path in keys),
            unregister=tuple(("reg", "delete", key, "/f") for key, _ in keys),
        )
    if platform == "macos":
        support = home / "Library" / "Application Support"
        launcher = support / "SecondLook" / "native-host"
        chromium_dirs = [support / mac / "NativeMessagingHosts" for _, mac, _ in CHROMIUM_BROWSERS.values()]
        firefox_dir = support / "Mozilla" / "NativeMessagingHosts"
    else:
        config = Path(env.get("XDG_CONFIG_HOME") or home / ".config")
        data = Path(env.get("XDG_DATA_HOME") or home / ".local" / "share")
        launcher = data / "secondlook" / "native-host"
        chromium_dirs = [config / linux / "NativeMessagingHosts" for linux, _, _ in CHROMIUM_BROWSERS.values()]
        firefox_dir = home / ".mozilla" / "native-messaging-hosts"
    chromium = _json(chromium_manifest(launcher, extension_ids))
    return NativeHosts(
        files=(HostFile(launcher, launcher_script(platform, command), executable=True),
               *(HostFile(folder / name, chromium) for folder in chromium_dirs),
               HostFile(firefox_dir / name, _json(firefox_manifest(launcher)))),
        register=(), unregister=(),
    )


def write_files(hosts: NativeHosts) -> None:
    for item in hosts.files:
        item.path.parent.mkdir(parents=True, exist_ok=True)
        item.path.write_bytes(item.content)
        if item.executable and os.name == "posix":
            os.chmod(item.path, 0o755)


def remove_files(hosts: NativeHosts) -> list[Path]:
    removed = []
    for item in hosts.files:
        if item.path.exists():
            item.path.unlink()
            removed.append(item.path)
    return removed
