"""The `secondlook` command line: exit codes, messages, config and the pairing secret."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

from companion_process import isolated_env, run_secondlook


def run_cli(*args: str, stdin: str | None = None, tmp: Path, env: dict[str, str] | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess:
    return run_secondlook(list(args), isolated_env(tmp, **(env or {})), stdin, timeout)


def one_line_error(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def test_check_exit_codes_and_outputs(tmp_path: Path) -> None:
    clean = run_cli("check", "-", stdin="오늘 회의는 3시에 합니다.", tmp=tmp_path)
    assert clean.returncode == 0, clean.stderr
    assert "risk: none" in clean.stdout

    draft = tmp_path / "draft.txt"
    draft.write_text("연락처 010-5555-1234 로 주세요", encoding="utf-8")
    risky = run_cli("check", str(draft), tmp=tmp_path)
    assert risky.returncode == 1, risky.stderr
    assert "010-5555-1234" in risky.stdout and "contact" in risky.stdout

    as_json = run_cli("check", str(draft), "--json", tmp=tmp_path)
    assert as_json.returncode == 1
    body = json.loads(as_json.stdout)
    assert body["risk"]["level"] in ("high", "critical")
    assert any(f["text"] == "010-5555-1234" for f in body["findings"])


def test_check_usage_and_file_errors(tmp_path: Path) -> None:
    missing = one_line_error(run_cli("check", str(tmp_path / "absent.txt"), tmp=tmp_path))
    assert "absent.txt" in missing and "cannot read" in missing
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\xff\xfe\x00bad")
    assert "not UTF-8" in one_line_error(run_cli("check", str(binary), tmp=tmp_path))
    assert "invalid choice" in one_line_error(run_cli("check", "--language", "fr", tmp=tmp_path))
    assert one_line_error(run_cli("frobnicate", tmp=tmp_path))


def test_config_show_and_validate(tmp_path: Path) -> None:
    good = tmp_path / "good.toml"
    good.write_text('[server]\nport = 5111\n[policy]\nwarn_level = "high"\n', encoding="utf-8")
    shown = run_cli("config", "show", str(good), tmp=tmp_path)
    assert shown.returncode == 0, shown.stderr
    effective = tomllib.loads(shown.stdout)
    assert effective["server"]["port"] == 5111 and effective["policy"]["warn_level"] == "high"
    assert effective["server"]["max_chars"] == 20000
    assert f"port = 5111  # {good}" in shown.stdout

    valid = run_cli("config", "validate", str(good), tmp=tmp_path)
    assert valid.returncode == 0 and "valid" in valid.stdout

    bad = tmp_path / "bad.toml"
    bad.write_text('[policy]\nfail_mode = "sometimes"\n', encoding="utf-8")
    message = one_line_error(run_cli("config", "validate", str(bad), tmp=tmp_path))
    assert str(bad) in message and "policy.fail_mode" in message and '"open", "closed"' in message
    message = one_line_error(run_cli("serve", "--config", str(bad), tmp=tmp_path))
    assert "policy.fail_mode" in message


def test_token_prints_the_per_user_secret_and_creates_it_once(tmp_path: Path) -> None:
    config = tmp_path / "xdg" / "secondlook" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('# my settings\n[server]\nport = 5222\n', encoding="utf-8")
    first = run_cli("token", tmp=tmp_path)
    assert first.returncode == 0, first.stderr
    secret = first.stdout.strip()
    assert len(secret) == 64 and int(secret, 16) >= 0
    path = tmp_path / "xdg" / "secondlook" / "private" / "pairing-secret"
    assert path.read_text(encoding="ascii").strip() == secret and f"from {path}" in first.stderr
    assert config.read_text(encoding="utf-8") == '# my settings\n[server]\nport = 5222\n', "the config is not touched"
    again = run_cli("token", tmp=tmp_path)
    assert again.returncode == 0 and again.stdout.strip() == secret


def test_token_prints_a_secret_set_by_it(tmp_path: Path) -> None:
    config = tmp_path / "it.toml"
    config.write_text('[server]\ntoken = "it-secret-0123456789abcdef"\n', encoding="utf-8")
    result = run_cli("token", "--config", str(config), tmp=tmp_path)
    assert result.returncode == 0 and result.stdout.strip() == "it-secret-0123456789abcdef"
    assert str(config) in result.stderr and not (tmp_path / "xdg" / "secondlook" / "private").exists()


def test_serve_refuses_non_loopback_host(tmp_path: Path) -> None:
    message = one_line_error(run_cli("serve", "--host", "0.0.0.0", "--port", "5333", tmp=tmp_path))
    assert "server.host" in message and "loopback" in message


def test_serve_on_a_busy_port_exits_2_with_one_line(tmp_path: Path, companion) -> None:
    message = one_line_error(run_cli("serve", "--port", str(companion.port), tmp=tmp_path))
    assert "already in use" in message and str(companion.port) in message


def test_no_deploy_module_imports_the_command_line() -> None:
    """deploy/ takes exit codes, CLIError and the shared options from cli_common: importing every
    module of it never loads cli.py (which imports deploy/ to build its parser)."""
    code = ("import importlib, pkgutil, sys\nimport companion.deploy as deploy\n"
            "for module in pkgutil.iter_modules(deploy.__path__):\n"
            "    importlib.import_module(f'companion.deploy.{module.name}')\n"
            "print(sorted(name for name in sys.modules if name == 'companion.cli'))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
