"""`secondlook doctor`: every check's verdict, a fix for each failure, exit status 0/1/2."""

from __future__ import annotations

import http.server
import json
import os
import pwd
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

SECONDLOOK = Path(sys.executable).with_name("secondlook")
TOKEN = "doctor-token-0123456789abcdef"


def doctor(tmp: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("SECONDLOOK_")}
    full_env.update({"XDG_CONFIG_HOME": str(tmp / "xdg"), "HOME": str(tmp / "home"), **(env or {})})
    return subprocess.run([str(SECONDLOOK), "doctor", *args], capture_output=True, text=True, env=full_env,
                          timeout=120)


def verdicts(output: str) -> dict[str, str]:
    """check name -> status, from lines such as "ok    port 4711   free on ..."."""
    found = {}
    for line in output.splitlines():
        status, _, rest = line.partition(" ")
        if status in ("ok", "warn", "FAIL"):
            found[rest.strip().split("  ")[0]] = status
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_all_good_with_a_running_paired_companion(tmp_path: Path, companion_server) -> None:
    port = free_port()
    config = f'[server]\nport = {port}\ntoken = "{TOKEN}"\n'
    running = companion_server(config, port=port, env={"SECONDLOOK_TOKEN": TOKEN})
    result = doctor(tmp_path, "--config", str(running.config_path))
    assert result.returncode == 0, result.stdout + result.stderr
    checks = verdicts(result.stdout)
    assert checks["config"] == checks["policy"] == checks[f"port {port}"] == checks["token"] == "ok"
    assert checks["engine"] == "ok" and checks["companion"] == "ok"
    assert "held by SecondLook" in result.stdout and "paired with this user's token" in result.stdout
    assert "MB resident" in result.stdout and "loaded in" in result.stdout
    assert "all good" in result.stdout


def test_another_users_companion_on_the_port_is_a_problem(tmp_path: Path, companion_server) -> None:
    port = free_port()
    other = "another-users-token-0123456789"
    companion_server(f'[server]\nport = {port}\ntoken = "{other}"\n', port=port, env={"SECONDLOOK_TOKEN": other})
    mine = tmp_path / "mine.toml"
    mine.write_text(f'[server]\nport = {port}\ntoken = "{TOKEN}"\n', encoding="utf-8")
    result = doctor(tmp_path, "--config", str(mine), "--skip-engine")
    assert result.returncode == 1, result.stdout
    assert verdicts(result.stdout)["companion"] == "FAIL"
    assert "does not prove this user's token" in result.stdout and "fix:" in result.stdout


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
    result = doctor(tmp_path, "--skip-engine", env={"SECONDLOOK_POLICY": str(policy)})
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
    assert checks["token"] == "warn" and checks["service"] == "warn" and checks["companion"] == "warn"
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
    assert list(checks) == ["config", "policy", "settings", "port", "token", "engine", "service", "companion", "logs"]
    assert all(set(c) == {"id", "name", "status", "detail", "fix"} for c in report["checks"])
    assert checks["port"]["name"] == f"port {port}" and checks["port"]["status"] == "ok"
    assert checks["companion"]["status"] == "ok" and "paired" in checks["companion"]["detail"]


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
