#!/usr/bin/env python3
"""SecondLook's one entry point for people and CI (standard library only).

    python3 build.py serve [ARGS...]   create .venv if missing, install, run `secondlook serve ARGS`
    python3 build.py test [PYTEST...]  install the test extras and system tools, build, run pytest
    python3 build.py extension [--lint]  package extension/ for Chromium and Firefox into dist/, check it
    python3 build.py policies --policy FILE [--out DIR]  Chrome/Edge/Whale/Firefox/Windows policies from policy.toml
    python3 build.py bundle --platform P [--policy FILE]  offline install bundle for win_amd64, macosx_arm64,
                                       macosx_x86_64 or manylinux_x86_64 in dist/
    python3 build.py crx [--key FILE] [--codebase-url URL]  signed CRX3 + updates.xml in dist/crx/ (dev key in keys/)
    python3 build.py train-names [--check]  retrain the person-name model from ../shared data, print held-out figures
    python3 build.py train-harm        retrain the harm classifier (companion/engine/data/harm/model/), print figures

Everything the project needs is installed from package registries by this script, so a
fresh Debian machine with only Python 3 is enough.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
DIST = ROOT / "dist"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
#: Debian packages the browser tests need: the browsers themselves and fonts for Korean text.
TEST_APT_PACKAGES = ("chromium", "firefox-esr", "fonts-noto-cjk")


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
    if not all(Path(p).exists() for p in ("/usr/bin/chromium", "/usr/bin/firefox-esr", "/usr/share/fonts/opentype/noto")):
        apt_install(TEST_APT_PACKAGES)


def cmd_test(args: list[str]) -> int:
    ensure_test_tools()
    if cmd_extension(["--lint"]) != 0:  # the packages the browser tests load, and web-ext lint (and node)
        return 1
    say("node --test extension/tests")  # the extension's pure functions
    if subprocess.call([shutil.which("node") or "node", "--test", f"extension/{EXTENSION_TESTS}"], cwd=ROOT) != 0:
        return 1
    return subprocess.call([str(PYTHON), "-m", "pytest", *args], cwd=ROOT)


EXTENSION = ROOT / "extension"
#: the folder of extension/ with its unit tests (node:test): beside its code, never in a package
EXTENSION_TESTS = "tests"
#: the one declared list of the extension's scripts: the service worker's in load order, the
#: content scripts (js, css) in injection order. Read here and by background/site-policy.js at run time.
EXTENSION_FILES = "files.json"
#: the constants module every context loads first (extension/shared/constants.js)
EXTENSION_CONSTANTS = "shared/constants.js"
#: npm tooling for the extension (web-ext) lives with the browser tests, not in the package.
EXTENSION_TOOLS = ROOT / "tests" / "browser"
GECKO_ID = "secondlook@secondlook.kr"
GECKO_MIN_VERSION = "142.0"


class ExtensionError(Exception):
    """A problem with the extension's declared files, named by file and key."""


def declared_files(source: Path) -> dict[str, list[str]]:
    """files.json's lists, checked: {"service_worker", "content_scripts.js", "content_scripts.css"} → paths."""
    try:
        files = json.loads((source / EXTENSION_FILES).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ExtensionError(f"{EXTENSION_FILES} is missing") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ExtensionError(f"{EXTENSION_FILES}: not JSON ({exc})") from None
    files = files if isinstance(files, dict) else {}
    content = files.get("content_scripts") if isinstance(files.get("content_scripts"), dict) else {}
    lists = {"service_worker": files.get("service_worker"), "content_scripts.js": content.get("js"),
             "content_scripts.css": content.get("css", [])}
    for key, value in lists.items():
        if not isinstance(value, list) or not all(isinstance(f, str) and f for f in value):
            raise ExtensionError(f"{EXTENSION_FILES}: {key!r} must be a list of file paths")
    for key in ("service_worker", "content_scripts.js"):
        if not lists[key] or lists[key][0] != EXTENSION_CONSTANTS:
            raise ExtensionError(f"{EXTENSION_FILES}: {key!r} must load {EXTENSION_CONSTANTS} first")
    return lists


class _PageRefs(HTMLParser):
    """The files an extension page loads: <script src>, <link href>, <img src> (relative paths)."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        name = {"script": "src", "img": "src", "link": "href"}.get(tag)
        for key, value in attrs:
            if key == name and value and ":" not in value and not value.startswith("#"):
                self.refs.append(value)


def _extension_files(source: Path, manifest: dict, files: dict[str, list[str]]) -> list[str]:
    """Every file the manifest, files.json and the extension pages refer to, but the generated service worker."""
    refs = list(manifest.get("icons", {}).values())
    action = manifest.get("action", {})
    refs += list(action.get("default_icon", {}).values()) + [action.get("default_popup")]
    refs += [manifest.get("options_ui", {}).get("page"), manifest.get("storage", {}).get("managed_schema")]
    refs += [EXTENSION_FILES, *(name for names in files.values() for name in names)]
    refs = [r for r in refs if r]
    for page in [r for r in refs if r.endswith(".html") and (source / r).is_file()]:
        parser = _PageRefs()
        parser.feed((source / page).read_text(encoding="utf-8"))
        refs += [os.path.normpath(Path(page).parent / ref).replace(os.sep, "/") for ref in parser.refs]
    return sorted(set(refs))


def check_extension(source: Path, manifest: dict) -> list[str]:
    """Problems with an extension directory: required keys, missing files, unknown messages."""
    problems = []
    for key in ("manifest_version", "name", "version", "default_locale", "icons", "background", "action"):
        if key not in manifest:
            problems.append(f"manifest.json: missing key {key!r}")
    if manifest.get("manifest_version") != 3:
        problems.append("manifest.json: manifest_version must be 3")
    try:
        files = declared_files(source)
    except ExtensionError as exc:
        problems.append(str(exc))
    else:
        for ref in _extension_files(source, manifest, files):
            if not (source / ref).is_file():
                problems.append(f"manifest.json, {EXTENSION_FILES} or a page refers to {ref}, which does not exist")
            elif ref.split("/")[0] == EXTENSION_TESTS:
                problems.append(f"manifest.json, {EXTENSION_FILES} or a page refers to {ref}, which is never packaged")
    locales = sorted(p.parent.name for p in (source / "_locales").glob("*/messages.json"))
    messages = {loc: json.loads((source / "_locales" / loc / "messages.json").read_text(encoding="utf-8"))
                for loc in locales}
    default = manifest.get("default_locale", "")
    if default not in messages:
        problems.append(f"_locales/{default}/messages.json (default_locale) is missing")
        return problems
    used = set(re.findall(r"__MSG_(\w+)__", json.dumps(manifest)))
    for path in source.rglob("*"):
        if path.suffix in (".js", ".html") and source / EXTENSION_TESTS not in path.parents:
            text = path.read_text(encoding="utf-8")
            used |= set(re.findall(r'\b(?:getMessage|msg|t)\(\s*"(\w+)"', text))
            used |= set(re.findall(r'data-i18n="(\w+)"', text))
    for loc, table in messages.items():
        for key in sorted(used - set(table)):
            problems.append(f"_locales/{loc}/messages.json: no message {key!r}")
        for key in sorted(set(messages[default]) - set(table)):
            problems.append(f"_locales/{loc}/messages.json: no message {key!r} (present in {default})")
    return problems


def _service_worker(files: dict[str, list[str]]) -> str:
    """Chromium's service worker: files.json's service-worker scripts, in order (absolute extension paths)."""
    scripts = ", ".join(json.dumps(f"/{name}") for name in files["service_worker"])
    return f"/* Written by build.py from {EXTENSION_FILES}: the service worker's scripts, in order. */\nimportScripts({scripts});\n"


def _firefox_manifest(manifest: dict, files: dict[str, list[str]]) -> dict:
    """Firefox: background scripts (files.json's) instead of a service worker, a gecko id, no Chromium-only keys."""
    firefox = {k: v for k, v in manifest.items() if k not in ("key", "minimum_chrome_version", "storage")}
    firefox["background"] = {"scripts": list(files["service_worker"])}
    firefox["browser_specific_settings"] = {"gecko": {"id": GECKO_ID, "strict_min_version": GECKO_MIN_VERSION,
                                                      "data_collection_permissions": {"required": ["none"]}}}
    return firefox


def _write_build(target: Path, manifest: dict, generated: dict[str, str]) -> None:
    """Copy extension/ (not its tests) to target with this manifest and the generated files, and zip it."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(EXTENSION, target, ignore=lambda d, names: [n for n in names
                    if (Path(d) / n).relative_to(EXTENSION).as_posix() == EXTENSION_TESTS or n.startswith(".")])
    (target / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    for name, text in generated.items():
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        (target / name).write_text(text, encoding="utf-8")
    zip_path = DIST / f"secondlook-{target.name}.zip"
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(target.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(target).as_posix())
    say(f"wrote {target.relative_to(ROOT)}/ and {zip_path.relative_to(ROOT)}")


def web_ext_lint(source: Path) -> None:
    """`web-ext lint` from the npm registry, installed locally next to the browser tests."""
    if not shutil.which("npm"):
        apt_install(["nodejs", "npm"])
    # keyed on the lockfile, so packages added to it (the editors the browser tests load) are installed too
    lock = hashlib.sha256((EXTENSION_TOOLS / "package-lock.json").read_bytes()).hexdigest()
    stamp = EXTENSION_TOOLS / "node_modules" / ".secondlook-lock-sha256"
    if not (EXTENSION_TOOLS / "node_modules" / ".bin" / "web-ext").exists() or not stamp.is_file() or stamp.read_text() != lock:
        say("npm ci (web-ext, editor libraries for the browser tests)")
        run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=EXTENSION_TOOLS)
        stamp.write_text(lock)
    run([EXTENSION_TOOLS / "node_modules" / ".bin" / "web-ext", "lint", "--source-dir", source,
         "--no-input", "--output", "text"], cwd=EXTENSION_TOOLS)


def cmd_extension(args: list[str]) -> int:
    """Build dist/chromium/ + zip and dist/firefox/ + zip, check both; --lint also runs web-ext lint."""
    manifest = json.loads((EXTENSION / "manifest.json").read_text(encoding="utf-8"))
    problems = check_extension(EXTENSION, manifest)
    if not problems:
        files = declared_files(EXTENSION)
        firefox = _firefox_manifest(manifest, files)
        problems = check_extension(EXTENSION, firefox)
    if problems:
        for problem in dict.fromkeys(problems):
            print(f"build.py extension: {problem}", file=sys.stderr)
        return 1
    DIST.mkdir(exist_ok=True)
    _write_build(DIST / "chromium", manifest, {manifest["background"]["service_worker"]: _service_worker(files)})
    _write_build(DIST / "firefox", firefox, {})
    if "--lint" in args:
        web_ext_lint(DIST / "firefox")
    return 0


def cmd_policies(args: list[str]) -> int:
    """dist/policies/ (or --out): every browser's policy, rendered from a policy.toml (docs/deploy.md)."""
    ensure_installed()
    return subprocess.call([str(PYTHON), "-m", "companion.deploy.browser_policies", *args], cwd=ROOT)


def cmd_bundle(args: list[str]) -> int:
    """dist/secondlook-<version>-<platform>-pyXY.zip|tar.gz: every wheel and the install scripts (offline)."""
    ensure_installed()
    return subprocess.call([str(PYTHON), "-m", "companion.deploy.bundle", *args], cwd=ROOT)


def cmd_crx(args: list[str]) -> int:
    """dist/crx/: a signed CRX3 of a fresh dist/chromium and its update manifest (signing needs `cryptography`)."""
    ensure_installed("build")
    if cmd_extension([]) != 0:
        return 1
    return subprocess.call([str(PYTHON), "-m", "companion.deploy.crx", *args], cwd=ROOT)


def cmd_train_names(args: list[str]) -> int:
    ensure_installed()
    return subprocess.call([str(PYTHON), str(ROOT / "tools" / "train_names.py"), *args], cwd=ROOT)


def cmd_train_harm(args: list[str]) -> int:
    """Retrain the harm classifier from ../shared/data (deterministic) and print held-out figures."""
    ensure_installed("train")
    return subprocess.call([str(PYTHON), str(ROOT / "tools" / "train_harm.py"), *args], cwd=ROOT)


COMMANDS = {
    "serve": cmd_serve,
    "test": cmd_test,
    "extension": cmd_extension,
    "policies": cmd_policies,
    "bundle": cmd_bundle,
    "crx": cmd_crx,
    "train-names": cmd_train_names,
    "train-harm": cmd_train_harm,
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
