"""Offline install bundles: every wheel the companion needs on one platform, plus install scripts.

    python3 build.py bundle --platform win_amd64|macosx_arm64|macosx_x86_64|manylinux_x86_64
                            [--python-version 3.11] [--policy FILE] [--out dist]

runs ``python -m companion.deploy.bundle`` and writes ``dist/secondlook-<version>-<platform>-py311.zip``
(``.tar.gz`` but for Windows) holding:

- ``wheels/``: SecondLook's own wheel and every dependency, chosen by pip for the target
  platform and Python (``--platform``, ``--python-version``, ``--only-binary=:all:``). A
  dependency published only as an sdist is built into a wheel here, and must come out pure
  Python (``py3-none-any``), else the build stops. pip evaluates environment markers for the
  machine it runs on, not the target (a Windows-only dependency such as colorama would be
  missed on Linux), so the resolution is closed under the target's markers (:func:`missing`).
- ``install.ps1`` + ``uninstall.ps1`` (Windows) or ``install.sh`` + ``uninstall.sh``;
- ``policies/``: the policy template (``policy.toml``) and the extension's managed schema, and,
  with ``--policy FILE``, every browser's policy rendered from that file;
- ``bundle.json``: version, platform, Python version and the wheels with their SHA-256.

Downloads are cached in ``dist/bundle-cache/`` (``--cache DIR``; pip reuses what is already
there), so a second build of the same platform needs the network only to resolve.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename

from .. import __version__
from ..cli_common import EXIT_ERROR, EXIT_OK, Parser
from ..config import ConfigError

ROOT = Path(__file__).resolve().parents[2]
INSTALLER = ROOT / "installer"
EXTENSION_SCHEMA = ROOT / "extension" / "managed-schema.json"
MAX_ROUNDS = 5


@dataclass(frozen=True)
class Platform:
    name: str
    #: pip --platform values, most specific first
    pip_platforms: tuple[str, ...]
    #: a wheel's platform tag this target accepts (besides "any")
    accepts: re.Pattern
    #: environment-marker values of the target
    markers: dict[str, str]
    windows: bool = False

    def accepts_wheel(self, filename: str, python: str) -> bool:
        """A wheel that installs on this platform and Python (e.g. python "311")."""
        _, _, _, tags = parse_wheel_filename(filename)
        for tag in tags:
            platform_ok = tag.platform == "any" or bool(self.accepts.fullmatch(tag.platform))
            if tag.abi == "abi3":
                python_ok = tag.interpreter.startswith("cp3") and int(tag.interpreter[3:]) <= int(python[1:])
            else:
                python_ok = tag.interpreter in (f"cp{python}", "py3", f"py{python}") and tag.abi in (
                    f"cp{python}", "none")
            if platform_ok and python_ok:
                return True
        return False


def _manylinux(arch: str) -> tuple[str, ...]:
    """glibc 2.28 (RHEL 8, Debian 10, Ubuntu 20.04) and older."""
    return (*(f"manylinux_2_{minor}_{arch}" for minor in range(28, 16, -1)),
            f"manylinux2014_{arch}", f"manylinux2010_{arch}", f"manylinux1_{arch}")


def _markers(system: str, sys_platform: str, os_name: str, machine: str) -> dict[str, str]:
    return {"platform_system": system, "sys_platform": sys_platform, "os_name": os_name,
            "platform_machine": machine, "platform_release": "", "platform_version": ""}


PLATFORMS = {
    "win_amd64": Platform("win_amd64", ("win_amd64",), re.compile(r"win_amd64"),
                          _markers("Windows", "win32", "nt", "AMD64"), windows=True),
    "macosx_arm64": Platform("macosx_arm64", ("macosx_12_0_arm64",), re.compile(r"macosx_\d+_\d+_(?:arm64|universal2)"),
                             _markers("Darwin", "darwin", "posix", "arm64")),
    "macosx_x86_64": Platform("macosx_x86_64", ("macosx_12_0_x86_64",),
                              re.compile(r"macosx_\d+_\d+_(?:x86_64|intel|universal2)"),
                              _markers("Darwin", "darwin", "posix", "x86_64")),
    "manylinux_x86_64": Platform("manylinux_x86_64", _manylinux("x86_64"),
                                 re.compile(r"manylinux(?:1|2010|2014|_2_\d+)_x86_64"),
                                 _markers("Linux", "linux", "posix", "x86_64")),
}


class BundleError(Exception):
    """The bundle cannot be built; one line for the person building it."""


def pip(*args: str | Path, capture: bool = False) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "pip", *map(str, args)], capture_output=True, text=True)
    if done.returncode != 0:
        errors = [line for line in (done.stderr or done.stdout).splitlines() if line.startswith("ERROR")]
        raise BundleError(f"pip {args[0]} failed: {errors[-1] if errors else 'exit status ' + str(done.returncode)}")
    return done


def target_environment(platform: Platform, python: str) -> dict[str, str]:
    env = default_environment()
    env.update(platform.markers)
    env.update({"python_version": python, "python_full_version": f"{python}.0", "implementation_name": "cpython",
                "platform_python_implementation": "CPython"})
    return env


def missing(report: list[dict], environment: dict[str, str]) -> list[str]:
    """Requirements that apply on the target but that the resolution left out."""
    present = {canonicalize_name(item["metadata"]["name"]) for item in report}
    needed: dict[str, str] = {}
    for item in report:
        extras = item.get("requested_extras") or [""]
        for line in item["metadata"].get("requires_dist", []):
            requirement = Requirement(line)
            applies = requirement.marker is None or any(
                requirement.marker.evaluate({**environment, "extra": extra}) for extra in extras)
            name = canonicalize_name(requirement.name)
            if applies and name not in present:
                requirement.marker = None
                needed.setdefault(name, str(requirement))
    return sorted(needed.values())


def build_own_wheel(work: Path) -> Path:
    own = work / "own"
    shutil.rmtree(own, ignore_errors=True)
    pip("wheel", "--no-deps", "--quiet", "--wheel-dir", own, ROOT)
    return next(own.glob("secondlook-*.whl"))


def build_pure_wheels(own: Path, pure: Path) -> None:
    """Every dependency that is only an sdist, built into a wheel that must be pure Python."""
    with tempfile.TemporaryDirectory() as tmp:
        report_path = Path(tmp) / "report.json"
        pip("install", "--dry-run", "--ignore-installed", "--quiet", "--report", report_path, own)
        report = json.loads(report_path.read_text(encoding="utf-8"))["install"]
    for item in report:
        url = item["download_info"]["url"]
        if url.endswith(".whl") or item["metadata"]["name"] == "secondlook":
            continue
        name, version = item["metadata"]["name"], item["metadata"]["version"]
        if any(canonicalize_name(parse_wheel_filename(p.name)[0]) == canonicalize_name(name)
               and str(parse_wheel_filename(p.name)[1]) == version for p in pure.glob("*.whl")):
            continue
        pip("wheel", "--no-deps", "--quiet", "--wheel-dir", pure, f"{name}=={version}")
    for wheel in pure.glob("*.whl"):
        if any(tag.platform != "any" or tag.abi != "none" for tag in parse_wheel_filename(wheel.name)[3]):
            raise BundleError(f"{wheel.name}: built from an sdist, but not pure Python; it cannot be built "
                              "for another platform here")


def resolve(platform: Platform, python: str, own: Path, pure: Path, cache: Path) -> list[Path]:
    """Download the target's wheels into the cache; the files the resolution chose."""
    target = [arg for tag in platform.pip_platforms for arg in ("--platform", tag)]
    options = ["--only-binary=:all:", "--python-version", python, "--implementation", "cp",
               "--find-links", str(pure), *target]
    extra: list[str] = []
    environment = target_environment(platform, python)
    for _ in range(MAX_ROUNDS):
        with tempfile.TemporaryDirectory() as tmp:
            report_path = Path(tmp) / "report.json"
            pip("install", "--dry-run", "--ignore-installed", "--quiet", "--report", report_path, *options,
                own, *extra)
            report = json.loads(report_path.read_text(encoding="utf-8"))["install"]
        more = missing(report, environment)
        if not more:
            break
        extra += more
    else:
        raise BundleError(f"the dependencies for {platform.name} did not settle after {MAX_ROUNDS} rounds")
    pip("download", "--quiet", "--dest", cache, *options, own, *extra)
    chosen = []
    for item in report:
        filename = item["download_info"]["url"].rsplit("/", 1)[-1]
        for folder in (cache, pure, own.parent):
            if (folder / filename).is_file():
                chosen.append(folder / filename)
                break
        else:
            raise BundleError(f"pip chose {filename} but did not download it")
    for wheel in chosen:
        if not platform.accepts_wheel(wheel.name, python.replace(".", "")):
            raise BundleError(f"{wheel.name} does not install on {platform.name} with Python {python}")
    return chosen


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def stage(platform: Platform, python: str, wheels: list[Path], policy: Path | None, folder: Path) -> None:
    """The bundle's files, laid out in ``folder``."""
    (folder / "wheels").mkdir(parents=True)
    for wheel in wheels:
        shutil.copy2(wheel, folder / "wheels" / wheel.name)
    scripts = ("install.ps1", "uninstall.ps1") if platform.windows else ("install.sh", "uninstall.sh")
    for script in scripts:
        shutil.copy2(INSTALLER / script, folder / script)
        if not platform.windows:
            (folder / script).chmod(0o755)
    policies = folder / "policies"
    policies.mkdir()
    shutil.copy2(INSTALLER / "policy.toml", policies / "policy.toml")
    shutil.copy2(EXTENSION_SCHEMA, policies / "managed_schema.json")
    if policy is not None:
        from .browser_policies import export, load_deployment

        export(load_deployment(policy), policies / "rendered")
        shutil.copy2(policy, policies / "rendered" / "policy.toml")
    manifest = {"name": "secondlook", "version": __version__, "platform": platform.name, "python": python,
                "wheels": {w.name: sha256(w) for w in sorted(wheels, key=lambda p: p.name)}}
    (folder / "bundle.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def archive(folder: Path, windows: bool) -> Path:
    """A zip (Windows: Expand-Archive) or a tar.gz (keeps the scripts' execute bits) of the folder."""
    if windows:
        target = folder.with_name(folder.name + ".zip")
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as bundle:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    bundle.write(path, (Path(folder.name) / path.relative_to(folder)).as_posix())
        return target
    target = folder.with_name(folder.name + ".tar.gz")
    with tarfile.open(target, "w:gz") as bundle:
        bundle.add(folder, arcname=folder.name)
    return target


def build(platform_name: str, python: str, out: Path, policy: Path | None, cache: Path) -> Path:
    platform = PLATFORMS[platform_name]
    if not re.fullmatch(r"3\.1[1-9]", python):
        raise BundleError(f"--python-version {python!r}: expected 3.11 or newer, as X.Y")
    if policy is not None:
        from .browser_policies import load_deployment

        load_deployment(policy)  # a bad policy fails before anything is downloaded
    pure = cache / "pure"
    downloads = cache / f"{platform.name}-py{python.replace('.', '')}"
    for folder in (pure, downloads):
        folder.mkdir(parents=True, exist_ok=True)
    own = build_own_wheel(cache)
    build_pure_wheels(own, pure)
    wheels = resolve(platform, python, own, pure, downloads)
    name = f"secondlook-{__version__}-{platform.name}-py{python.replace('.', '')}"
    folder = out / name
    out.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(folder, ignore_errors=True)
    stage(platform, python, wheels, policy, folder)
    target = archive(folder, platform.windows)
    shutil.rmtree(folder)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = Parser(prog="build.py bundle", description=__doc__.split("\n\n")[0])
    parser.add_argument("--platform", required=True, choices=sorted(PLATFORMS))
    parser.add_argument("--python-version", default="3.11", help="the target PCs' Python, X.Y (default 3.11)")
    parser.add_argument("--policy", metavar="FILE", type=Path, help="also render every browser's policy from it")
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="output folder (default dist)")
    parser.add_argument("--cache", type=Path, default=ROOT / "dist" / "bundle-cache",
                        help="downloaded and built wheels, kept between builds (default dist/bundle-cache)")
    args = parser.parse_args(argv)
    try:
        target = build(args.platform, args.python_version, args.out, args.policy, args.cache)
    except (BundleError, ConfigError) as exc:
        print(f"build.py bundle: {exc}", file=sys.stderr)
        return EXIT_ERROR
    print(f"wrote {target} ({target.stat().st_size / 1024 / 1024:.0f} MB)")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
