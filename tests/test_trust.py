"""Local trust on a shared PC: the per-user secret at rest, the native-messaging host that hands it
to the extension, its registration with the user's browsers, and the per-user default port."""

from __future__ import annotations

import json
import os
import stat
import struct
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from companion.config import BASE_PORT, PORT_SPREAD, default_port, port_for
from companion.deploy import native_hosts
from companion_process import SECONDLOOK, isolated_env

POSIX = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def cli_env(tmp: Path, **extra: str) -> dict[str, str]:
    return isolated_env(tmp, **{"XDG_DATA_HOME": str(tmp / "data"), "HOME": str(tmp / "home"), **extra})


def secret_file(tmp: Path) -> Path:
    return tmp / "xdg" / "secondlook" / "private" / "pairing-secret"


# --- the secret at rest ------------------------------------------------------------------

@POSIX
def test_secret_is_created_0600_in_a_0700_folder_even_with_umask_0(tmp_path: Path) -> None:
    result = subprocess.run([str(SECONDLOOK), "token"], env=cli_env(tmp_path), capture_output=True, text=True,
                            preexec_fn=lambda: os.umask(0))
    assert result.returncode == 0, result.stderr
    path = secret_file(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert os.listdir(path.parent) == [path.name], "no temporary file beside it"
    assert path.read_text(encoding="ascii").strip() == result.stdout.strip()


@POSIX
def test_an_existing_open_folder_is_tightened(tmp_path: Path) -> None:
    folder = secret_file(tmp_path).parent
    folder.mkdir(parents=True, mode=0o755)
    os.chmod(folder, 0o755)
    assert subprocess.run([str(SECONDLOOK), "token"], env=cli_env(tmp_path), capture_output=True).returncode == 0
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_processes_creating_the_secret_at_once_agree_on_one(tmp_path: Path) -> None:
    """The companion, the native host and `secondlook token` may all start at login."""
    def one(_: int) -> str:
        result = subprocess.run([str(SECONDLOOK), "token"], env=cli_env(tmp_path), capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    with ThreadPoolExecutor(6) as pool:
        secrets = set(pool.map(one, range(6)))
    assert len(secrets) == 1 and secrets == {secret_file(tmp_path).read_text(encoding="ascii").strip()}


def test_the_companion_creates_the_secret_at_first_start(tmp_path: Path, companion_server) -> None:
    running = companion_server()
    assert running.secret and running.secret == secret_file(tmp_path).read_text(encoding="ascii").strip()
    assert running.request("GET", "/v1/stats")[0] == 200  # paired with it


# --- native messaging host ---------------------------------------------------------------

def frame(message: object) -> bytes:
    data = json.dumps(message).encode()
    return struct.pack("<I", len(data)) + data


def unframe(data: bytes) -> list[dict]:
    messages = []
    while data:
        (length,) = struct.unpack("<I", data[:4])
        messages.append(json.loads(data[4:4 + length].decode("utf-8")))
        data = data[4 + length:]
    return messages


def run_host(argv: list[str], stdin: bytes, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(argv, input=stdin, capture_output=True, env=env, timeout=60)


def test_native_host_answers_hello_with_secret_host_and_port(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    config = tmp_path / "config.toml"
    config.write_text("[server]\nport = 48999\n", encoding="utf-8")
    # as Chrome starts it: the caller's origin (and, on Windows, the parent window) after the command
    argv = [str(SECONDLOOK), "native-host", "--config", str(config), "chrome-extension://pclkjgikpembfdmkiembljjihfnbldjb/",
            "--parent-window=0"]
    result = run_host(argv, frame({"type": "hello"}) + frame({"type": "bogus"}) + frame([1, 2]), env)
    assert result.returncode == 0, result.stderr
    hello, bogus, array = unframe(result.stdout)
    assert hello == {"type": "hello", "secret": secret_file(tmp_path).read_text(encoding="ascii").strip(),
                     "host": "127.0.0.1", "port": 48999, "version": hello["version"]}
    assert bogus["type"] == array["type"] == "error" and bogus["error"] == "unknown_message"

    it = run_host([str(SECONDLOOK), "native-host"], frame({"type": "hello"}),
                  {**env, "SECONDLOOK_TOKEN": "it-pushed-secret-0123456789"})
    [answer] = unframe(it.stdout)
    assert answer["secret"] == "it-pushed-secret-0123456789" and answer["port"] == default_port()


@pytest.mark.parametrize("stdin", [b"\x05\x00", struct.pack("<I", 10) + b"{}", struct.pack("<I", 10**8),
                                   struct.pack("<I", 3) + b"\xff\xfe\xfd"])
def test_native_host_rejects_broken_frames(tmp_path: Path, stdin: bytes) -> None:
    result = run_host([str(SECONDLOOK), "native-host"], stdin, cli_env(tmp_path))
    assert result.returncode == 1 and result.stdout == b""
    assert b"secondlook native-host:" in result.stderr and b"Traceback" not in result.stderr


def test_a_bad_config_is_an_error_message_not_a_crash(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("[server]\nport = 0\n", encoding="utf-8")
    result = run_host([str(SECONDLOOK), "native-host", "--config", str(config)], frame({"type": "hello"}),
                      cli_env(tmp_path))
    [answer] = unframe(result.stdout)
    assert answer["type"] == "error" and answer["error"] == "config" and "server.port" in answer["message"]


# --- registration at `service install` ------------------------------------------------------

def test_service_install_registers_the_host_with_every_browser_and_uninstall_removes_it(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    result = subprocess.run([str(SECONDLOOK), "service", "install"], env=env, capture_output=True, text=True, timeout=120)
    # without a systemd user manager here the service step fails (exit 2) after the hosts are written
    assert result.returncode in (0, 2), result.stderr
    config, home = tmp_path / "xdg", tmp_path / "home"
    chromium = [config / name / "NativeMessagingHosts" / "org.secondlook.companion.json"
                for name in ("google-chrome", "chromium", "microsoft-edge", "naver-whale")]
    firefox = home / ".mozilla" / "native-messaging-hosts" / "org.secondlook.companion.json"
    launcher = tmp_path / "data" / "secondlook" / "native-host"
    for path in chromium:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        assert manifest == {"name": "org.secondlook.companion", "description": manifest["description"],
                            "path": str(launcher), "type": "stdio",
                            "allowed_origins": ["chrome-extension://pclkjgikpembfdmkiembljjihfnbldjb/"]}
    assert json.loads(firefox.read_text(encoding="utf-8"))["allowed_extensions"] == ["secondlook@secondlook.kr"]
    assert os.access(launcher, os.X_OK)
    # the launcher is what the browser starts: it runs this installation's native host
    started = run_host([str(launcher), "chrome-extension://pclkjgikpembfdmkiembljjihfnbldjb/"], frame({"type": "hello"}), env)
    [hello] = unframe(started.stdout)
    assert hello["type"] == "hello" and hello["secret"] == secret_file(tmp_path).read_text(encoding="ascii").strip()

    removed = subprocess.run([str(SECONDLOOK), "service", "uninstall"], env=env, capture_output=True, text=True,
                             timeout=120)
    assert removed.returncode == 0, removed.stderr
    assert not any(p.exists() for p in [*chromium, firefox, launcher])


def test_windows_and_macos_host_registrations(tmp_path: Path) -> None:
    command = [r"C:\SecondLook\.venv\Scripts\python.exe", "-m", "companion.cli", "native-host"]
    win = native_hosts.plan_native_hosts("windows", command, ["pclkjgikpembfdmkiembljjihfnbldjb"],
                                         env={"LOCALAPPDATA": r"C:\Users\kim\AppData\Local"}, home=tmp_path)
    launcher = win.files[0]
    assert launcher.path.name == "secondlook-native-host.bat"
    assert launcher.content.decode() == "@echo off\r\n" + subprocess.list2cmdline(command) + " %*\r\n"
    keys = {argv[2]: argv[7] for argv in win.register}
    assert set(keys) == {rf"HKCU\Software\{vendor}\NativeMessagingHosts\org.secondlook.companion"
                         for vendor in ("Google\\Chrome", "Chromium", "Microsoft\\Edge", "Naver\\Whale", "Mozilla")}
    assert all(argv[:2] == ("reg", "add") and argv[-1] == "/f" for argv in win.register)
    assert {argv[2] for argv in win.unregister} == set(keys)
    manifests = {Path(path).name: json.loads(f.content) for path in keys.values() for f in win.files
                 if str(f.path) == path}
    assert manifests["org.secondlook.companion.firefox.json"]["allowed_extensions"] == ["secondlook@secondlook.kr"]
    assert manifests["org.secondlook.companion.chromium.json"]["path"] == str(launcher.path)

    mac = native_hosts.plan_native_hosts("macos", ["/Applications/SecondLook/bin/secondlook", "native-host"],
                                         ["pclkjgikpembfdmkiembljjihfnbldjb"], env={}, home=tmp_path)
    support = tmp_path / "Library" / "Application Support"
    paths = {f.path for f in mac.files}
    for folder in ("Google/Chrome", "Chromium", "Microsoft Edge", "Naver/Whale", "Mozilla"):
        assert support / folder / "NativeMessagingHosts" / "org.secondlook.companion.json" in paths
    assert mac.register == ()


def test_service_install_dry_run_lists_the_host_files(tmp_path: Path) -> None:
    result = subprocess.run([str(SECONDLOOK), "service", "install", "--dry-run", "--platform", "windows"],
                            env=cli_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "org.secondlook.companion.chromium.json" in result.stdout
    assert r"reg add HKCU\Software\Naver\Whale\NativeMessagingHosts\org.secondlook.companion" in result.stdout
    assert not (tmp_path / "home").exists()


# --- per-user port -----------------------------------------------------------------------------

def test_default_port_is_per_user_stable_and_reported(tmp_path: Path) -> None:
    port = default_port()
    assert BASE_PORT <= port < BASE_PORT + PORT_SPREAD <= 65535 and port == default_port()
    users = [port_for(str(uid)) for uid in (0, 1000, 1001, 1002, 65534)]  # users of one PC
    assert len(set(users)) == len(users) and all(BASE_PORT <= p < BASE_PORT + PORT_SPREAD for p in users)
    shown = subprocess.run([str(SECONDLOOK), "config", "show"], env=cli_env(tmp_path), capture_output=True, text=True)
    assert f"port = {port}  # default for this user" in shown.stdout
