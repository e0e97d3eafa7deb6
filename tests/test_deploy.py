"""Deployment: managed policy precedence and locking, login-service files, real service where possible."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import plistlib
import shlex
import shutil
import struct
import subprocess
import sys
import time
import zipfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from companion.config import ConfigError, load_config
from companion.deploy import service as svc
from companion_process import SECONDLOOK, NotHealthy, free_port, isolated_env, run_secondlook, wait_healthy

TASK = "{http://schemas.microsoft.com/windows/2004/02/mit/task}"


def run_cli(tmp: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    return run_secondlook(list(args), isolated_env(tmp, **{"HOME": str(tmp / "home"), **(env or {})}), timeout=timeout)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# --- managed policy ---------------------------------------------------------------------

def test_policy_overrides_file_env_and_flags_and_locks_its_keys(tmp_path: Path) -> None:
    config_file = write(tmp_path / "config.toml", '[server]\nport = 5000\nmax_chars = 100\n[policy]\nmode = "warn"\n')
    policy = write(tmp_path / "policy.toml",
                   '[server]\nport = 47900\ntoken = "policy-token-0123456789"\n[policy]\nmode = "block"\n')
    env = {"SECONDLOOK_TOKEN": "env-token-0123456789abc"}
    config = load_config(config_file, env=env, overrides={"server.port": 6000}, policy=policy)
    assert config.server.port == 47900 and config.sources["server.port"] == "policy"
    assert config.server.token == "policy-token-0123456789" and config.sources["server.token"] == "policy"
    assert config.policy.mode == "block" and config.locked("policy.mode")
    assert config.server.max_chars == 100 and not config.locked("server.max_chars")
    assert config.policy_path == policy


def test_policy_from_environment_variable(tmp_path: Path) -> None:
    policy = write(tmp_path / "p.toml", '[policy]\nfail_mode = "closed"\n')
    config = load_config(env={"XDG_CONFIG_HOME": str(tmp_path), "SECONDLOOK_POLICY": str(policy)})
    assert config.policy.fail_mode == "closed" and config.sources["policy.fail_mode"] == "policy"


def test_policy_roster_is_resolved_next_to_the_policy(tmp_path: Path) -> None:
    (tmp_path / "it").mkdir()
    write(tmp_path / "it" / "names.txt", "홍길동\n")
    policy = write(tmp_path / "it" / "policy.toml", '[detection]\nroster = "names.txt"\n')
    config = load_config(env={"XDG_CONFIG_HOME": str(tmp_path)}, policy=policy)
    assert config.detection.roster == tmp_path / "it" / "names.txt"


@pytest.mark.parametrize("text, key, expectation", [
    ("[server]\nport = \"high\"\n", "server.port", "an integer from 1 to 65535"),
    ("[policy]\nmode = \"loud\"\n", "policy.mode", '"warn", "block"'),
    ("[server]\nsecret = 1\n", "server.secret", "unknown key"),
    ("[detection]\nroster = \"absent.txt\"\n", "detection.roster", "does not exist"),
])
def test_invalid_policy_names_file_key_and_expectation(tmp_path: Path, text: str, key: str, expectation: str) -> None:
    policy = write(tmp_path / "policy.toml", text)
    with pytest.raises(ConfigError) as info:
        load_config(env={"XDG_CONFIG_HOME": str(tmp_path)}, policy=policy)
    assert str(policy) in str(info.value) and key in str(info.value) and expectation in str(info.value)


def test_missing_explicit_policy_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_config(env={"SECONDLOOK_POLICY": str(tmp_path / "absent.toml"), "XDG_CONFIG_HOME": str(tmp_path)})


def test_config_show_prints_each_source(tmp_path: Path) -> None:
    config_file = write(tmp_path / "config.toml", "[server]\nmax_chars = 500\n")
    policy = write(tmp_path / "policy.toml", "[server]\nport = 47901\n")
    result = run_cli(tmp_path, "config", "show", "--config", str(config_file), "--policy", str(policy))
    assert result.returncode == 0, result.stderr
    lines = {line.split(" = ")[0]: line for line in result.stdout.splitlines() if " = " in line}
    assert lines["port"].endswith(f"# policy {policy} (locked)")
    assert lines["max_chars"].endswith(f"# {config_file}")
    assert lines["mode"].endswith("# default")


def test_invalid_policy_refuses_to_start(tmp_path: Path) -> None:
    policy = write(tmp_path / "policy.toml", '[policy]\nwarn_level = "sometimes"\n')
    result = run_cli(tmp_path, "serve", "--port", str(free_port()), "--policy", str(policy), timeout=30)
    assert result.returncode == 2
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1 and "Traceback" not in message
    assert str(policy) in message and "policy.warn_level" in message and '"medium"' in message
    validate = run_cli(tmp_path, "config", "validate", "--policy", str(policy))
    assert validate.returncode == 2 and "policy.warn_level" in validate.stderr


def test_policy_port_wins_over_the_port_flag(tmp_path: Path, companion_server) -> None:
    locked_port, flag_port = free_port(), free_port()
    policy = write(tmp_path / "policy.toml", f"[server]\nport = {locked_port}\n")
    running = companion_server(env={"SECONDLOOK_POLICY": str(policy)}, port=flag_port, wait=False)
    try:
        wait_healthy(locked_port, running.process)
    except NotHealthy as exc:
        pytest.fail(f"companion never answered on the policy's port ({exc}):\n{running.log()}")
    running.stop()
    text = running.log()
    assert f"server.port = {flag_port} from the command line ignored" in text and str(policy) in text


def test_running_companion_serves_the_policy_values(tmp_path: Path, companion_server) -> None:
    policy = write(tmp_path / "policy.toml", '[policy]\nmode = "block"\nfail_mode = "closed"\n'
                                             'sites = ["https://intranet.hospital.example/*"]\n')
    running = companion_server('[policy]\nmode = "warn"\nfail_mode = "open"\n', env={"SECONDLOOK_POLICY": str(policy)})
    status, _, body = running.request("GET", "/v1/policy")
    assert status == 200
    assert body["mode"] == "block" and body["fail_mode"] == "closed"
    assert body["sites"] == ["https://intranet.hospital.example/*"]


def test_token_command_prints_the_policy_secret_and_writes_nothing(tmp_path: Path) -> None:
    policy = write(tmp_path / "policy.toml", '[server]\ntoken = "policy-token-0123456789"\n')
    result = run_cli(tmp_path, "token", "--policy", str(policy))
    assert result.returncode == 0 and result.stdout.strip() == "policy-token-0123456789"
    assert f"managed policy {policy}" in result.stderr
    assert not (tmp_path / "xdg" / "secondlook").exists()


# --- login service files ----------------------------------------------------------------

def unit_sections(text: str) -> dict[str, dict[str, str]]:
    sections: dict[str, dict[str, str]] = {}
    current = None
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
        else:
            key, _, value = line.partition("=")
            current[key] = value
    return sections


def test_systemd_unit_runs_this_installation(tmp_path: Path) -> None:
    config_file = write(tmp_path / "my config%.toml", "")
    command = svc.serve_command("linux", str(config_file))
    unit = unit_sections(svc.systemd_unit(command))
    argv = shlex.split(unit["Service"]["ExecStart"])
    assert Path(argv[0]).is_absolute() and Path(argv[0]) == SECONDLOOK and os.access(argv[0], os.X_OK)
    assert argv[1:3] == ["serve", "--config"]
    assert argv[3] == str(config_file).replace("%", "%%")  # systemd specifier escaping
    assert unit["Service"]["Restart"] == "on-failure" and unit["Service"]["RestartPreventExitStatus"] == "2"
    assert unit["Install"]["WantedBy"] == "default.target"


def test_launch_agent_plist(tmp_path: Path) -> None:
    command = svc.serve_command("macos", policy=str(tmp_path / "p.toml"))
    service = svc.plan("macos", command, env={}, home=tmp_path)
    assert service.path == tmp_path / "Library" / "LaunchAgents" / "org.secondlook.companion.plist"
    plist = plistlib.loads(service.content)
    assert plist["Label"] == "org.secondlook.companion"
    assert plist["ProgramArguments"] == [str(SECONDLOOK), "serve", "--policy", str(tmp_path / "p.toml")]
    assert plist["RunAtLoad"] is True and plist["KeepAlive"] == {"SuccessfulExit": False}
    assert any(step.argv[:2] == ("launchctl", "bootstrap") for step in service.install)


def test_windows_logon_task_xml(tmp_path: Path) -> None:
    command = svc.serve_command("windows", config=str(tmp_path / "a b.toml"))
    service = svc.plan("windows", command, env={"USERDOMAIN": "HOSPITAL", "USERNAME": "nurse1",
                                                "LOCALAPPDATA": str(tmp_path)}, home=tmp_path)
    assert service.content.startswith(b"\xff\xfe")  # UTF-16 with BOM, as schtasks expects
    root = ET.fromstring(service.content.decode("utf-16").split("\n", 1)[1])
    assert root.tag == f"{TASK}Task"
    assert root.find(f"{TASK}Triggers/{TASK}LogonTrigger/{TASK}UserId").text == "HOSPITAL\\nurse1"
    principal = root.find(f"{TASK}Principals/{TASK}Principal")
    assert principal.find(f"{TASK}LogonType").text == "InteractiveToken"
    assert principal.find(f"{TASK}RunLevel").text == "LeastPrivilege"
    assert root.find(f"{TASK}Settings/{TASK}ExecutionTimeLimit").text == "PT0S"
    exec_ = root.find(f"{TASK}Actions/{TASK}Exec")
    assert exec_.find(f"{TASK}Command").text.endswith("pythonw.exe")
    assert exec_.find(f"{TASK}Arguments").text == f'-m companion.cli serve --config "{tmp_path / "a b.toml"}"'
    assert service.install[0].argv == ("schtasks", "/Create", "/TN", "SecondLook", "/XML", str(service.path), "/F")


@pytest.mark.parametrize("platform, marker", [("linux", "ExecStart="), ("macos", "<key>ProgramArguments</key>"),
                                              ("windows", "<LogonTrigger>")])
def test_dry_run_prints_and_changes_nothing(tmp_path: Path, platform: str, marker: str) -> None:
    result = run_cli(tmp_path, "service", "install", "--dry-run", "--platform", platform)
    assert result.returncode == 0, result.stderr
    assert marker in result.stdout and "would run:" in result.stdout
    assert not any(p.is_file() for p in tmp_path.rglob("*")), "dry run wrote a file"
    removal = run_cli(tmp_path, "service", "uninstall", "--dry-run", "--platform", platform)
    assert removal.returncode == 0 and "would remove" in removal.stdout


def test_other_platform_needs_dry_run(tmp_path: Path) -> None:
    other = "windows" if svc.current_platform() != "windows" else "linux"
    result = run_cli(tmp_path, "service", "install", "--platform", other)
    assert result.returncode == 2 and "--dry-run" in result.stderr


def test_service_refuses_to_install_with_a_bad_config(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.toml", "[server]\nport = 0\n")
    result = run_cli(tmp_path, "service", "install", "--config", str(bad))
    assert result.returncode == 2 and "server.port" in result.stderr
    assert not (tmp_path / "xdg" / "systemd").exists()
    unit = tmp_path / "xdg" / "systemd" / "user" / "secondlook.service"
    unit.parent.mkdir(parents=True)
    unit.write_text("[Unit]\n", encoding="utf-8")
    removed = run_cli(tmp_path, "service", "uninstall", "--config", str(bad))
    assert removed.returncode == 0 and not unit.exists(), "a broken config must not block uninstalling"


@pytest.mark.skipif(svc.current_platform() != "linux", reason="systemd is Linux only")
def test_install_without_a_systemd_user_manager_says_so(tmp_path: Path) -> None:
    if svc.systemd_user_available():
        pytest.skip("a systemd user manager is available: the real round trip below covers install")
    result = run_cli(tmp_path, "service", "install")
    unit = tmp_path / "xdg" / "systemd" / "user" / "secondlook.service"
    assert result.returncode == 2 and "systemctl --user" in result.stderr and "Traceback" not in result.stderr
    assert "ExecStart=" in unit.read_text()
    status = run_cli(tmp_path, "service", "status")
    assert status.returncode == 1 and "service manager unavailable" in status.stdout
    removed = run_cli(tmp_path, "service", "uninstall")
    assert removed.returncode == 0 and not unit.exists()


@pytest.mark.skipif(svc.current_platform() != "linux" or not svc.systemd_user_available(),
                    reason="no systemd user manager here (systemctl --user cannot reach a bus)")
def test_systemd_user_service_round_trip(tmp_path: Path) -> None:
    unit = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "systemd/user/secondlook.service"
    if unit.exists():
        pytest.skip(f"{unit} already exists; not touching a real installation")
    port = free_port()
    config_file = write(tmp_path / "config.toml", f"[server]\nport = {port}\n")
    env = {"XDG_CONFIG_HOME": os.environ.get("XDG_CONFIG_HOME", str(Path.home() / ".config")),
           "HOME": str(Path.home())}
    try:
        assert run_cli(tmp_path, "service", "install", "--config", str(config_file), env=env).returncode == 0
        deadline = time.monotonic() + 60
        while run_cli(tmp_path, "service", "status", "--config", str(config_file), env=env).returncode != 0:
            assert time.monotonic() < deadline, "service never became ready"
            time.sleep(0.5)
        assert run_cli(tmp_path, "service", "stop", "--config", str(config_file), env=env).returncode == 0
    finally:
        run_cli(tmp_path, "service", "uninstall", "--config", str(config_file), env=env)
    assert not unit.exists()


# --- browser policies and CRX3 ----------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
EXTENSION_DIR = ROOT / "extension"


def read_varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos


def proto_fields(data: bytes) -> list[tuple[int, bytes]]:
    """(field number, payload) of a protobuf message made of length-delimited fields."""
    fields, pos = [], 0
    while pos < len(data):
        key, pos = read_varint(data, pos)
        assert key & 7 == 2, f"unexpected wire type {key & 7}"
        length, pos = read_varint(data, pos)
        fields.append((key >> 3, data[pos:pos + length]))
        pos += length
    return fields


def verify_crx3(blob: bytes) -> tuple[bytes, bytes]:
    """Parse a CRX3 independently of the packer, verify its RSA proof; (public key DER, zip)."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    assert blob[:4] == b"Cr24"
    version, header_len = struct.unpack("<II", blob[4:12])
    assert version == 3
    header, archive = blob[12:12 + header_len], blob[12 + header_len:]
    fields = proto_fields(header)
    proofs = [dict(proto_fields(payload)) for number, payload in fields if number == 2]  # sha256_with_rsa
    signed_data = next(payload for number, payload in fields if number == 10000)
    assert len(proofs) == 1
    public_der, signature = proofs[0][1], proofs[0][2]
    crx_id = dict(proto_fields(signed_data))[1]
    assert crx_id == hashlib.sha256(public_der).digest()[:16]
    message = b"CRX3 SignedData\x00" + struct.pack("<I", len(signed_data)) + signed_data + archive
    serialization.load_der_public_key(public_der).verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
    return public_der, archive


def id_of(public_der: bytes) -> str:
    return "".join("abcdefghijklmnop"[int(c, 16)] for c in hashlib.sha256(public_der).hexdigest()[:32])


@pytest.fixture(scope="module")
def signing_key(tmp_path_factory) -> Path:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    path = tmp_path_factory.mktemp("key") / "org-key.pem"
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    return path


def test_crx3_is_signed_and_its_id_follows_the_key(tmp_path: Path, signing_key: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "companion.deploy.crx", "--source", str(EXTENSION_DIR),
                             "--key", str(signing_key), "--out", str(tmp_path),
                             "--codebase-url", "https://it.hospital.example/sl"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    version = json.loads((EXTENSION_DIR / "manifest.json").read_text(encoding="utf-8"))["version"]
    public_der, archive = verify_crx3((tmp_path / f"secondlook-{version}.crx").read_bytes())
    ext_id = id_of(public_der)
    assert f"extension ID: {ext_id}" in result.stdout and "allowed_extension_ids must name" in result.stdout
    with zipfile.ZipFile(io.BytesIO(archive)) as bundle:
        manifest = json.loads(bundle.read("manifest.json"))
        assert base64.b64decode(manifest["key"]) == public_der  # the packed manifest names the signing key
        assert {"background/main.js", "managed-schema.json"} <= set(bundle.namelist())
    update = ET.fromstring((tmp_path / "updates.xml").read_bytes())
    app = update.find("{http://www.google.com/update2/response}app")
    check = app.find("{http://www.google.com/update2/response}updatecheck")
    assert app.get("appid") == ext_id and check.get("version") == version
    assert check.get("codebase") == f"https://it.hospital.example/sl/secondlook-{version}.crx"


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="Debian's chromium is not installed")
def test_chromiums_own_crx_passes_the_same_verification(tmp_path: Path, signing_key: Path) -> None:
    """Cross-check of the format: Chromium packs with the same key; the verifier and ID agree."""
    source = tmp_path / "ext"
    shutil.copytree(EXTENSION_DIR, source)
    subprocess.run(["/usr/bin/chromium", "--headless=new", "--no-sandbox", f"--pack-extension={source}",
                    f"--pack-extension-key={signing_key}"], capture_output=True, timeout=120,
                   env={**os.environ, "HOME": str(tmp_path)})
    packed = tmp_path / "ext.crx"
    if not packed.exists():
        pytest.skip("chromium could not pack extensions here")
    ours = subprocess.run([sys.executable, "-m", "companion.deploy.crx", "--source", str(EXTENSION_DIR),
                           "--key", str(signing_key), "--out", str(tmp_path / "ours")],
                          capture_output=True, text=True, timeout=120)
    theirs_key, _ = verify_crx3(packed.read_bytes())
    assert f"extension ID: {id_of(theirs_key)}" in ours.stdout
