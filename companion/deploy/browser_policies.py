"""Browser policies rendered from the one policy file IT keeps (policy.toml).

    secondlook policies export --policy FILE [--out DIR]
    python3 build.py policies --policy FILE [--out DIR]

The same file is the companions' managed policy, so the sites, mode, warn_level and fail_mode
the browsers push to the extension are the ones the companions enforce (and the port and
token, when the file locks them): a board added to ``[policy] sites`` reaches every browser on
the next export. ``[deploy]`` adds what
only the browsers need: the extension IDs and where each browser installs the extension from.

Writes, into DIR (default dist/policies):

- ``chrome.json``, ``edge.json``, ``whale.json``: Chromium's JSON policy format
  (``ExtensionSettings`` force-install + ``3rdparty`` managed storage for the extension);
- ``firefox/policies.json``: Firefox's enterprise policies (the same, for the add-on), and
  ``firefox/managed-storage/<gecko id>.json``: the same settings as a per-user managed storage
  manifest (for a user's own port and token on shared PCs; docs/deploy.md says where it goes);
- ``windows/<browser>.reg`` and ``windows/secondlook.admx`` + ``windows/en-US/secondlook.adml``
  (see :mod:`companion.deploy.windows_policies`);
- ``managed_schema.json``: the extension's schema of its managed storage; the rendered
  settings are checked against it, so the policies cannot drift from the extension (where
  the extension's source is at hand: the source tree, not an installed companion).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..cli_common import EXIT_ERROR, Parser
from ..config import FIELDS, ConfigError, read_toml, validate_document

ROOT = Path(__file__).resolve().parents[2]
#: The extension's own schema; present in the source tree (an installed bundle ships its copy in policies/).
EXTENSION_SCHEMA = ROOT / "extension" / "managed-schema.json"
CHROMIUM_BROWSERS = ("chrome", "edge", "whale")
_JSON_TYPES = {"object": dict, "array": list, "string": str, "integer": int, "boolean": bool, "number": (int, float)}
#: Host names reserved for examples and documentation (RFC 2606, RFC 6761): never a real server.
_PLACEHOLDER_HOST = re.compile(r"(?:^|\.)(?:example\.(?:com|net|org)|example|invalid|test|localhost)$")


@dataclass(frozen=True)
class Browser:
    name: str
    title: str
    #: the browser's policy key under HKLM / HKCU on Windows
    registry_key: str
    #: the [deploy] key holding the URL the browser installs the extension from
    url_key: str


BROWSERS = {
    "chrome": Browser("chrome", "Google Chrome", r"SOFTWARE\Policies\Google\Chrome", "chrome_update_url"),
    "edge": Browser("edge", "Microsoft Edge", r"SOFTWARE\Policies\Microsoft\Edge", "edge_update_url"),
    "whale": Browser("whale", "Naver Whale", r"SOFTWARE\Policies\Naver\Whale", "whale_update_url"),
    "firefox": Browser("firefox", "Mozilla Firefox", r"SOFTWARE\Policies\Mozilla\Firefox", "firefox_install_url"),
}


@dataclass(frozen=True)
class Deployment:
    """What one policy file says every browser must get."""

    source: Path
    browsers: tuple[str, ...]
    extension_id: str
    gecko_id: str
    #: browser -> the update manifest (Chromium) or .xpi (Firefox) URL
    urls: dict[str, str]
    #: the extension's managed storage (checked against managed-schema.json)
    settings: dict[str, Any]

    def extension_for(self, browser: str) -> str:
        return self.gecko_id if browser == "firefox" else self.extension_id


def check_against_schema(value: Any, schema: dict[str, Any], where: str = "managed settings") -> None:
    """The subset of JSON Schema Chrome's managed storage uses: type, properties, items, enum."""
    kind = _JSON_TYPES[schema["type"]]
    if not isinstance(value, kind) or (schema["type"] == "integer" and isinstance(value, bool)):
        raise ValueError(f"{where} must be of type {schema['type']}")
    if "enum" in schema and value not in schema["enum"]:
        raise ValueError(f"{where} must be one of {schema['enum']}")
    if schema["type"] == "object":
        for key, item in value.items():
            if key not in schema.get("properties", {}):
                raise ValueError(f"{where}: {key} is not in the extension's managed schema")
            check_against_schema(item, schema["properties"][key], f"{where}.{key}")
    if schema["type"] == "array":
        for i, item in enumerate(value):
            check_against_schema(item, schema["items"], f"{where}[{i}]")


def extension_schema() -> dict[str, Any]:
    return json.loads(EXTENSION_SCHEMA.read_text(encoding="utf-8"))


def is_placeholder(url: str) -> bool:
    host = (urllib.parse.urlsplit(url).hostname or "").lower().rstrip(".")
    return not host or bool(_PLACEHOLDER_HOST.search(host))


def load_deployment(path: Path) -> Deployment:
    """Read and check a policy file; every problem is a ConfigError naming file, key and expectation."""
    values = {(f.section, f.key): f.default for f in FIELDS}
    given = validate_document(read_toml(path), str(path), policy_file=True)
    values.update(given)
    browsers = tuple(dict.fromkeys(values[("deploy", "browsers")]))
    urls: dict[str, str] = {}
    for name in browsers:
        key = BROWSERS[name].url_key
        url = values[("deploy", key)]
        what = "the .xpi" if name == "firefox" else "the updates.xml"
        if not url:
            raise ConfigError(f"{path}: deploy.{key} is not set; expected the http(s) URL of {what} "
                              f"{BROWSERS[name].title} installs SecondLook from (or leave \"{name}\" out of "
                              "deploy.browsers)")
        if is_placeholder(url):
            raise ConfigError(f"{path}: deploy.{key} = \"{url}\" is a placeholder; expected the URL where you "
                              f"host {what}")
        urls[name] = url
    extension_id = values[("deploy", "extension_id")]
    allowed = values[("policy", "allowed_extension_ids")]
    if any(b in CHROMIUM_BROWSERS for b in browsers) and extension_id not in allowed:
        raise ConfigError(f"{path}: policy.allowed_extension_ids must include deploy.extension_id "
                          f"\"{extension_id}\", else the companion refuses the extension it installs")
    settings: dict[str, Any] = {
        "sites": list(values[("policy", "sites")]),
        "mode": values[("policy", "mode")],
        "warn_level": values[("policy", "warn_level")],
        "fail_mode": values[("policy", "fail_mode")],
    }
    # Port and token only where the file locks them for every companion: else each user's
    # companion has its own (shared PCs), which a machine-wide value would override.
    if ("server", "port") in given:
        settings["port"] = given[("server", "port")]
    if given.get(("server", "token")):
        settings["token"] = given[("server", "token")]
    if EXTENSION_SCHEMA.is_file():
        try:
            check_against_schema(settings, extension_schema())
        except ValueError as exc:  # the config checks are stricter; this guards the two against drifting
            raise ConfigError(f"{path}: {exc} ({EXTENSION_SCHEMA})") from None
    return Deployment(path, browsers, extension_id, values[("deploy", "gecko_id")], urls, settings)


def chromium_policy(deployment: Deployment, browser: str) -> dict[str, Any]:
    """Chrome, Edge or Whale: force-install from the update URL, push the managed settings."""
    ext = deployment.extension_id
    return {
        "ExtensionSettings": {ext: {"installation_mode": "force_installed",
                                    "update_url": deployment.urls[browser]}},
        "3rdparty": {"extensions": {ext: deployment.settings}},
    }


def firefox_policy(deployment: Deployment) -> dict[str, Any]:
    """Firefox's policies.json: force-install the signed .xpi, push the managed settings."""
    ext = deployment.gecko_id
    return {"policies": {
        "ExtensionSettings": {ext: {"installation_mode": "force_installed",
                                    "install_url": deployment.urls["firefox"]}},
        "3rdparty": {"Extensions": {ext: deployment.settings}},
    }}


def firefox_managed_storage(deployment: Deployment) -> dict[str, Any]:
    """Firefox's managed storage manifest (a native manifest of type "storage"): the same settings,
    read from the user's ~/.mozilla/managed-storage/ (Windows: a path in HKCU\\Software\\Mozilla\\ManagedStorage)."""
    return {"name": deployment.gecko_id, "description": "SecondLook managed settings", "type": "storage",
            "data": deployment.settings}


def write_json(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def export(deployment: Deployment, out: Path) -> list[Path]:
    """Write every policy file for the deployment's browsers; the paths written."""
    from . import windows_policies

    written: list[Path] = []
    for browser in deployment.browsers:
        if browser == "firefox":
            target = out / "firefox" / "policies.json"
            write_json(target, firefox_policy(deployment))
            manifest = out / "firefox" / "managed-storage" / f"{deployment.gecko_id}.json"
            write_json(manifest, firefox_managed_storage(deployment))
            written.append(manifest)
        else:
            target = out / f"{browser}.json"
            write_json(target, chromium_policy(deployment, browser))
        written.append(target)
    written += windows_policies.write_all(deployment, out / "windows")
    if EXTENSION_SCHEMA.is_file():
        schema = out / "managed_schema.json"
        schema.write_text(EXTENSION_SCHEMA.read_text(encoding="utf-8"), encoding="utf-8")
        written.append(schema)
    return written


def run_export(policy: str | os.PathLike, out: str | os.PathLike) -> int:
    deployment = load_deployment(Path(policy))
    out_dir = Path(out)
    written = export(deployment, out_dir)
    print(f"{Path(policy)}: wrote {len(written)} files to {out_dir}: "
          + ", ".join(p.relative_to(out_dir).as_posix() for p in written))
    return 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--policy", metavar="FILE", required=True,
                        help="the policy.toml your companions use, with its [deploy] section")
    parser.add_argument("--out", metavar="DIR", default=str(ROOT / "dist" / "policies"),
                        help="folder to write to (default dist/policies)")


def add_policies_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("policies", help="render browser policies (Chrome, Edge, Whale, Firefox, Windows) "
                                             "from the managed policy file",
                            description=__doc__.split("\n\n")[0])
    actions = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))
    export_parser = actions.add_parser("export", help="write the policy files")
    add_arguments(export_parser)
    export_parser.set_defaults(func=lambda args: run_export(args.policy, args.out))


def main(argv: list[str] | None = None) -> int:
    """`python -m companion.deploy.browser_policies --policy FILE [--out DIR]` (what build.py runs)."""
    parser = Parser(prog="build.py policies", description=__doc__.split("\n\n")[0])
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        return run_export(args.policy, args.out)
    except ConfigError as exc:
        print(f"build.py policies: {exc}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
