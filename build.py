#!/usr/bin/env python3
"""SecondLook's one entry point for people and CI (standard library only).

    python3 build.py serve [ARGS...]   create .venv if missing, install, run `secondlook serve ARGS`
    python3 build.py test [PYTEST...]  install the test extras and system tools, build, run pytest

Everything the project needs is installed from package registries by this script, so a
fresh Debian machine with only Python 3 is enough.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
DIST = ROOT / "dist"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
#: Debian packages the browser tests need: the browser itself and fonts for Korean text.
TEST_APT_PACKAGES = ("chromium", "fonts-noto-cjk")


def say(message: str) -> None:
    print(f"[build] {message}", flush=True)


def run(cmd: list[str | os.PathLike], **kwargs) -> None:
    subprocess.run([str(c) for c in cmd], check=True, **kwargs)


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def apt_install(packages: list[str] | tuple[str, ...]) -> None:
    """Install Debian packages (as root, or through sudo when available)."""
    if not shutil.which("apt-get"):
        sys.exit(f"build.py: please install {', '.join(packages)} with your system's package manager")
    prefix = [] if is_root() else ["sudo"] if shutil.which("sudo") else None
    if prefix is None:
        sys.exit(f"build.py: {', '.join(packages)} missing; run as root: apt-get install -y {' '.join(packages)}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    say(f"apt-get install {' '.join(packages)}")
    run(prefix + ["apt-get", "update", "-q"], env=env, stdout=subprocess.DEVNULL)
    run(prefix + ["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages], env=env,
        stdout=subprocess.DEVNULL)


def ensure_venv() -> None:
    if PYTHON.exists():
        return
    say(f"creating {VENV.name}")
    try:
        run([sys.executable, "-m", "venv", VENV])
    except subprocess.CalledProcessError:
        # Debian ships venv's pip bootstrap separately.
        shutil.rmtree(VENV, ignore_errors=True)
        apt_install([f"python3.{sys.version_info.minor}-venv"])
        run([sys.executable, "-m", "venv", VENV])


def ensure_installed(extras: str = "") -> None:
    """pip-install the project (editable) when pyproject.toml changed since the last install."""
    ensure_venv()
    stamp = VENV / f".secondlook-installed{extras.replace(',', '-')}"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    target = f".[{extras}]" if extras else "."
    say(f"installing {target} into {VENV.name}")
    run([PYTHON, "-m", "pip", "install", "-q", "--upgrade", "pip"])
    run([PYTHON, "-m", "pip", "install", "-q", "-e", target], cwd=ROOT)
    stamp.write_text(digest)


def cmd_serve(args: list[str]) -> int:
    ensure_installed()
    return subprocess.call([str(BIN / "secondlook"), "serve", *args])


def ensure_test_tools() -> None:
    ensure_installed("test")
    if not Path("/usr/bin/chromium").exists() or not Path("/usr/share/fonts/opentype/noto").exists():
        apt_install(TEST_APT_PACKAGES)


def cmd_test(args: list[str]) -> int:
    ensure_test_tools()
    return subprocess.call([str(PYTHON), "-m", "pytest", *args], cwd=ROOT)


COMMANDS = {
    "serve": cmd_serve,
    "test": cmd_test,
}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(__doc__.strip(), file=sys.stderr)
        print("\ncommands: " + ", ".join(COMMANDS), file=sys.stderr)
        return 2
    try:
        return COMMANDS[argv[0]](argv[1:])
    except subprocess.CalledProcessError as exc:
        print(f"build.py: {' '.join(map(str, exc.cmd))} failed with status {exc.returncode}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
