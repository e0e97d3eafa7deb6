"""Browser policy templates for IT: force-install the extension and push its managed settings.

    python -m companion.deploy.browser_policies [--id ID] [--update-url URL] [--port P]
                                                [--token T] [--out dist/policies]

Writes ``chrome.json``, ``edge.json`` and ``whale.json`` (Chromium's JSON policy format, as
read from the browsers' ``policies/managed`` folders on Linux; docs/deploy.md maps them to
Windows registry and macOS profiles) and ``managed_schema.json``, the extension's own
schema of what it reads from ``chrome.storage.managed``. The managed-settings example is
checked against that schema, so the templates cannot drift from the extension.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from ..config import DEFAULT_SITES, EXTENSION_ID

ROOT = Path(__file__).resolve().parents[2]
EXTENSION_SCHEMA = ROOT / "extension" / "managed-schema.json"
BROWSERS = ("chrome", "edge", "whale")
DEFAULT_UPDATE_URL = "https://intranet.example/secondlook/updates.xml"
_ID = re.compile(r"^[a-p]{32}$")
_JSON_TYPES = {"object": dict, "array": list, "string": str, "integer": int, "boolean": bool, "number": (int, float)}


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


def managed_settings(port: int | None, token: str | None) -> dict[str, Any]:
    """Without a port or token the extension gets each user's own from `secondlook native-host`."""
    settings: dict[str, Any] = {"sites": list(DEFAULT_SITES), "fail_mode": "closed"}
    if port:
        settings["port"] = port
    if token:
        settings["token"] = token
    return settings


def browser_policy(ext_id: str, update_url: str, settings: dict[str, Any]) -> dict[str, Any]:
    return {
        "ExtensionInstallForcelist": [f"{ext_id};{update_url}"],
        "3rdparty": {"extensions": {ext_id: settings}},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="build.py policies", description=__doc__.split("\n\n")[0])
    parser.add_argument("--id", default=EXTENSION_ID, help="extension ID (default: the stable ID)")
    parser.add_argument("--update-url", default=DEFAULT_UPDATE_URL, help="update manifest URL (updates.xml)")
    parser.add_argument("--port", type=int, help="companion port pushed to the extension (default: none, each "
                                                 "user's own from the native host; per user on shared PCs)")
    parser.add_argument("--token", help="pairing secret pushed to the extension (default: none, each user's own "
                                        "from the native host; per user only)")
    parser.add_argument("--out", type=Path, default=ROOT / "dist" / "policies")
    args = parser.parse_args(argv)
    if not _ID.match(args.id):
        parser.error(f"--id {args.id!r} is not a 32-letter extension ID (a-p)")
    if not re.match(r"^https?://[^\s;]+$", args.update_url):
        parser.error(f"--update-url {args.update_url!r} must be an http(s) URL")
    schema_text = EXTENSION_SCHEMA.read_text(encoding="utf-8")
    settings = managed_settings(args.port, args.token)
    try:
        check_against_schema(settings, json.loads(schema_text))
    except ValueError as exc:
        raise SystemExit(f"policies: {exc} ({EXTENSION_SCHEMA})") from None
    args.out.mkdir(parents=True, exist_ok=True)
    for browser in BROWSERS:
        policy = browser_policy(args.id, args.update_url, settings)
        (args.out / f"{browser}.json").write_text(json.dumps(policy, indent=2) + "\n", encoding="utf-8")
    (args.out / "managed_schema.json").write_text(schema_text, encoding="utf-8")
    print(f"wrote {', '.join(f'{b}.json' for b in BROWSERS)} and managed_schema.json to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
