"""`secondlook doctor`: every check's verdict, a fix for each failure, exit status 0/1/2."""

from __future__ import annotations

import http.server
import json
import os
import pwd
import signal
import socket
import subprocess
import threading
from pathlib import Path

import pytest

from companion_process import SECONDLOOK, free_port, isolated_env, run_secondlook

TOKEN = "doctor-token-0123456789abcdef"


def doctor(tmp: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return run_secondlook(["doctor", *args], isolated_env(tmp, **{"HOME": str(tmp / "home"), **(env or {})}))


def verdicts(output: str) -> dict[str, str]:
    """check name -> status, from lines such as "ok    port 4711   free on ..."."""
    found = {}
    for line in output.splitlines():
        status, _, rest = line.partition(" ")
        if status in ("ok", "warn", "FAIL"):
            found[rest.strip().split("  ")[0]] = status
    return found


def test_all_good_with_a_running_paired_companion(tmp_path: Path, companion_server) -> None:
    port = free_port()
    running = companion_server(f"[server]\nport = {port}\n", port=port)  # its secret: tmp_path/xdg, as doctor's
    result = doctor(tmp_path, "--config", str(running.config_path))
    assert result.returncode == 0, result.stdout + result.stderr
    checks = verdicts(result.stdout)
    assert checks["config"] == checks["policy"] == checks[f"port {port}"] == checks["secret"] == "ok"
    assert checks["engine"] == "ok" and checks["companion"] == "ok"
    assert "held by SecondLook" in result.stdout and "readable by this user only" in result.stdout
    assert f"verified with this user's secret for 127.0.0.1:{port}" in result.stdout
    assert "MB resident" in result.stdout and "loaded in" in result.stdout
    assert "all good" in result.stdout


def test_another_users_companion_on_the_port_is_a_problem(tmp_path: Path, companion_server) -> None:
    port = free_port()
    other = "another-users-token-0123456789"
    companion_server(f"[server]\nport = {port}\n", port=port, env={"SECONDLOOK_TOKEN": other})
    mine = tmp_path / "mine.toml"
    mine.write_text(f"[server]\nport = {port}\n", encoding="utf-8")
    me = {"XDG_CONFIG_HOME": str(tmp_path / "me")}
    result = doctor(tmp_path, "--config", str(mine), "--skip-engine", env=me)
    assert result.returncode == 1, result.stdout
    assert verdicts(result.stdout)["companion"] == "FAIL" and "is not this user's companion" in result.stdout
    assert subprocess.run([str(SECONDLOOK), "token"], env={**os.environ, **me}, capture_output=True).returncode == 0
    result = doctor(tmp_path, "--config", str(mine), "--skip-engine", env=me)
    assert result.returncode == 1, result.stdout
    assert verdicts(result.stdout)["companion"] == "FAIL"
    assert "is not verified as this user's companion (mismatch)" in result.stdout and "fix:" in result.stdout


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_a_secret_readable_by_others_is_a_warning(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[server]\ntoken = "{TOKEN}"\n', encoding="utf-8")
    os.chmod(config, 0o644)
    result = doctor(tmp_path, "--config", str(config), "--skip-engine", "--port", str(free_port()))
    assert verdicts(result.stdout)["secret"] == "warn", result.stdout
    assert f"{config} is open to group and others (mode 0644)" in result.stdout and f"chmod 600 {config}" in result.stdout
    os.chmod(config, 0o600)
    result = doctor(tmp_path, "--config", str(config), "--skip-engine", "--port", str(free_port()))
    assert verdicts(result.stdout)["secret"] == "ok", result.stdout
    policy = tmp_path / "policy.toml"  # machine-wide: every user of the PC can read it
    policy.write_text(f'[server]\ntoken = "{TOKEN}"\n', encoding="utf-8")
    os.chmod(policy, 0o644)
    result = doctor(tmp_path, "--policy", str(policy), "--skip-engine", "--port", str(free_port()))
    assert verdicts(result.stdout)["secret"] == "warn" and f"managed policy {policy}" in result.stdout

    secret = tmp_path / "xdg" / "secondlook" / "private" / "pairing-secret"
    assert subprocess.run([str(SECONDLOOK), "token"], env={**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "xdg")},
                          capture_output=True).returncode == 0
    assert verdicts(doctor(tmp_path, "--skip-engine", "--port", str(free_port())).stdout)["secret"] == "ok"
    for path, mode in ((secret, 0o640), (secret.parent, 0o755)):
        os.chmod(path, mode)
        result = doctor(tmp_path, "--skip-engine", "--port", str(free_port()))
        assert verdicts(result.stdout)["secret"] == "warn", result.stdout
        assert f"{path} is open to" in result.stdout and "other users of this PC could read" in result.stdout
        os.chmod(path, 0o600 if path == secret else 0o700)


class _NotUs(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(404)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(b"<h1>someone else</h1>")

    def log_message(self, *args) -> None:
        pass


def test_port_held_by_another_program(tmp_path: Path) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _NotUs)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        result = doctor(tmp_path, "--port", str(port), "--skip-engine")
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 1
    assert verdicts(result.stdout)[f"port {port}"] == "FAIL"
    assert "used by another program" in result.stdout and "choose a free port" in result.stdout


def test_invalid_policy_is_a_problem_with_its_fix(tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text('[policy]\nfail_mode = "maybe"\n', encoding="utf-8")
    result = doctor(tmp_path, "--port", str(free_port()), "--skip-engine", env={"SECONDLOOK_POLICY": str(policy)})
    assert result.returncode == 1
    assert verdicts(result.stdout)["policy"] == "FAIL"
    assert "settings" not in verdicts(result.stdout), "one cause, one problem"
    assert result.stdout.strip().endswith("1 problem(s) found")
    assert str(policy) in result.stdout and "policy.fail_mode" in result.stdout and '"open", "closed"' in result.stdout
    assert "refuses to start" in result.stdout and f"correct {policy}" in result.stdout


def test_free_port_and_warnings_pass_unless_strict(tmp_path: Path) -> None:
    port = free_port()
    result = doctor(tmp_path, "--port", str(port), "--skip-engine")
    assert result.returncode == 0, result.stdout
    checks = verdicts(result.stdout)
    assert checks[f"port {port}"] == "ok" and "free on" in result.stdout
    assert checks["secret"] == "warn" and checks["service"] == "warn" and checks["companion"] == "warn"
    assert "secondlook token" in result.stdout and "secondlook service install" in result.stdout
    assert doctor(tmp_path, "--port", str(port), "--skip-engine", "--strict").returncode == 1


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0 or not Path("/proc/net/tcp").exists(),
                    reason="needs root (to listen as another user) and Linux /proc")
def test_port_held_by_another_user_is_a_problem(tmp_path: Path) -> None:
    """Shared PCs: another user's process on this user's port (here: a listener running as nobody)."""
    nobody = pwd.getpwnam("nobody")
    port = free_port()
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: become nobody, listen, wait to be killed
        try:
            os.setgid(nobody.pw_gid)
            os.setuid(nobody.pw_uid)
            listener = socket.socket()
            listener.bind(("127.0.0.1", port))
            listener.listen()
            os.write(ready_w, b"1")
            signal.pause()
        finally:
            os._exit(0)
    try:
        assert os.read(ready_r, 1) == b"1"
        result = doctor(tmp_path, "--port", str(port), "--skip-engine")
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(ready_r)
        os.close(ready_w)
    assert result.returncode == 1
    assert verdicts(result.stdout)[f"port {port}"] == "FAIL"
    assert f"held by another user ({nobody.pw_name}, a program)" in result.stdout
    assert "on shared PCs choose a free port" in result.stdout


@pytest.mark.parametrize("args", [["--port", "0"], ["--port", "http"], ["--bogus"]])
def test_usage_errors_exit_2(tmp_path: Path, args: list[str]) -> None:
    result = doctor(tmp_path, *args)
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1


def test_json_report_of_a_healthy_pc(tmp_path: Path, companion_server) -> None:
    """Fleet scripts: one JSON object, stable keys, the exit status inside and outside."""
    port = free_port()
    running = companion_server(f'[server]\nport = {port}\ntoken = "{TOKEN}"\n', port=port,
                               env={"SECONDLOOK_TOKEN": TOKEN})
    result = doctor(tmp_path, "--config", str(running.config_path), "--skip-engine", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert set(report) == {"version", "healthy", "exit_status", "problems", "warnings", "log_dir", "checks"}
    assert report["healthy"] is True and report["exit_status"] == 0 and report["problems"] == 0
    assert report["log_dir"] == str(tmp_path / "home" / ".local" / "state" / "secondlook")
    checks = {c["id"]: c for c in report["checks"]}
    assert list(checks) == ["config", "policy", "settings", "port", "secret", "engine", "service", "companion", "logs"]
    assert all(set(c) == {"id", "name", "status", "detail", "fix"} for c in report["checks"])
    assert checks["port"]["name"] == f"port {port}" and checks["port"]["status"] == "ok"
    assert checks["companion"]["status"] == "ok" and "verified with this user's secret" in checks["companion"]["detail"]


def test_json_report_with_a_problem(tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text('[policy]\nfail_mode = "maybe"\n', encoding="utf-8")
    result = doctor(tmp_path, "--skip-engine", "--json", env={"SECONDLOOK_POLICY": str(policy)})
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["healthy"] is False and report["exit_status"] == 1 and report["problems"] == 1
    failed = [c for c in report["checks"] if c["status"] == "fail"]
    assert [c["id"] for c in failed] == ["policy"] and str(policy) in failed[0]["detail"] and failed[0]["fix"]
    strict = json.loads(doctor(tmp_path, "--skip-engine", "--json", "--strict").stdout)
    assert strict["healthy"] is False and strict["problems"] == strict["warnings"] > 0
