"""Deployment: managed policy precedence and locking, login-service files, real service where possible."""

from __future__ import annotations

import os
import plistlib
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from companion.config import ConfigError, load_config
from companion.deploy import service as svc

SECONDLOOK = Path(sys.executable).with_name("secondlook")
TASK = "{http://schemas.microsoft.com/windows/2004/02/mit/task}"


def run_cli(tmp: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("SECONDLOOK_")}
    full_env.update({"XDG_CONFIG_HOME": str(tmp / "xdg"), "HOME": str(tmp / "home"), **(env or {})})
    return subprocess.run([str(SECONDLOOK), *args], capture_output=True, text=True, env=full_env, timeout=timeout)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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


def test_policy_port_wins_over_the_port_flag(tmp_path: Path) -> None:
    locked_port, flag_port = free_port(), free_port()
    policy = write(tmp_path / "policy.toml", f"[server]\nport = {locked_port}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SECONDLOOK_")}
    env.update(XDG_CONFIG_HOME=str(tmp_path / "xdg"), SECONDLOOK_POLICY=str(policy))
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen([str(SECONDLOOK), "serve", "--port", str(flag_port)], stdout=out,
                                   stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{locked_port}/v1/health", timeout=2):
                    break
            except OSError:
                assert process.poll() is None, log.read_text()
                time.sleep(0.1)
        else:
            pytest.fail("companion never answered on the policy's port")
    finally:
        process.terminate()
        process.wait(10)
    text = log.read_text()
    assert f"server.port = {flag_port} from the command line ignored" in text and str(policy) in text


def test_token_command_refuses_a_policy_locked_token(tmp_path: Path) -> None:
    policy = write(tmp_path / "policy.toml", '[server]\ntoken = "policy-token-0123456789"\n')
    result = run_cli(tmp_path, "token", "--policy", str(policy))
    assert result.returncode == 2 and "managed policy" in result.stderr
    assert not (tmp_path / "xdg" / "secondlook" / "config.toml").exists()


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
