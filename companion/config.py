"""Configuration: defaults < config file < environment < command-line flags < managed policy.

One TOML file with the sections ``[server]``, ``[policy]`` and ``[detection]``. Every
key is declared once in ``FIELDS`` with its type check; an unknown key, a wrong type or
a bad value raises :class:`ConfigError` naming the file, the key and what is expected,
so nothing ever starts with a half-read configuration.

A machine-wide policy file written by IT (same format, see :func:`machine_policy_path`, or
``--policy FILE`` / ``$SECONDLOOK_POLICY``) overrides every other source; the keys it sets
are locked (their source is ``"policy"``). The policy file may also hold a ``[deploy]``
section (extension IDs and update URLs), which only ``secondlook policies export`` reads:
the one file IT edits drives the companion and every browser's policy.
"""

from __future__ import annotations

import getpass
import hashlib
import ipaddress
import os
import re
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

DEFAULT_HOST = "127.0.0.1"
#: The first per-user port; each user's default is BASE_PORT + a stable hash of who they are.
BASE_PORT = 47813
PORT_SPREAD = 2000


def port_for(who: str) -> int:
    """A stable port in [BASE_PORT, BASE_PORT + PORT_SPREAD) for a user id or name."""
    digest = hashlib.sha256(f"secondlook-port\n{who}".encode()).digest()
    return BASE_PORT + int.from_bytes(digest[:4], "big") % PORT_SPREAD


def default_port() -> int:
    """This user's default port: users of one PC (remote desktop, shared ward PCs) get
    different ports, so one user's companion does not sit where another's extension looks
    (a collision is still possible; pairing is what makes it harmless)."""
    return port_for(str(os.getuid()) if hasattr(os, "getuid") else getpass.getuser().lower())


DEFAULT_PORT = default_port()
#: Stable Chromium extension ID, fixed by the ``key`` in extension/manifest.json.
EXTENSION_ID = "pclkjgikpembfdmkiembljjihfnbldjb"
#: Firefox add-on ID (browser_specific_settings.gecko.id written by build.py).
GECKO_ID = "secondlook@secondlook.kr"
#: Browsers `secondlook policies export` renders policies for.
BROWSERS = ("chrome", "edge", "whale", "firefox")
RISK_LEVELS = ("none", "low", "medium", "high", "critical")
CATEGORIES = ("name", "contact", "id", "affiliation", "detail", "harm")
#: The main Korean medical communities and hospital-staff boards (documented in README).
DEFAULT_SITES = (
    "https://*.medigate.net/*",
    "https://*.medistaff.co.kr/*",
    "https://*.nurscape.net/*",
    "https://*.teamblind.com/*",
    "https://cafe.naver.com/*",
)
ENV_CONFIG = "SECONDLOOK_CONFIG"
ENV_TOKEN = "SECONDLOOK_TOKEN"
ENV_POLICY = "SECONDLOOK_POLICY"
#: The source recorded for values set by the managed policy; such keys are locked.
POLICY_SOURCE = "policy"


class ConfigError(Exception):
    """A configuration problem, phrased for the person who has to fix it."""


# --- value checks -----------------------------------------------------------------------

Check = Callable[[Any], Any]  # returns the normalised value or raises ValueError(expectation)

_MATCH_PATTERN = re.compile(
    r"^(?:<all_urls>|(?:\*|https?|wss?|file|ftp)://(?:\*|\*\.[^/*:]+|[^/*:]+)(?::(?:\d{1,5}|\*))?/.*)$"
)
_EXTENSION_ID = re.compile(r"^[a-p]{32}$")
_GECKO_ID = re.compile(r"^(?:[A-Za-z0-9._+-]+@[A-Za-z0-9.-]+|\{[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}\})$")
_URL = re.compile(r"^https?://[^\s;\"<>{}]+$")
_TOKEN = re.compile(r"^[\x21-\x7e]{16,256}$")


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("a string")
    return value


def _loopback_host(value: Any) -> str:
    host = _string(value)
    if host == "localhost":
        return host
    try:
        if ipaddress.ip_address(host.strip("[]")).is_loopback:
            return host.strip("[]")
    except ValueError:
        pass
    raise ValueError("a loopback address (127.0.0.1, ::1 or localhost); SecondLook never listens on the network")


def _int_between(low: int, high: int) -> Check:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"an integer from {low} to {high}")
        return value
    return check


def _fraction(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError("a number from 0 to 1")
    return float(value)


def _token(value: Any) -> str:
    token = _string(value)
    if token and not _TOKEN.match(token):
        raise ValueError("empty (no token) or 16-256 printable ASCII characters without spaces")
    return token


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("true or false")
    return value


def _one_of(*choices: str) -> Check:
    def check(value: Any) -> str:
        if value not in choices:
            raise ValueError("one of " + ", ".join(f'"{c}"' for c in choices))
        return value
    return check


def _list_of(item: Check, what: str, allow_empty: bool = True) -> Check:
    def check(value: Any) -> tuple:
        if not isinstance(value, list) or (not allow_empty and not value):
            raise ValueError(f"a {'non-empty ' if not allow_empty else ''}list of {what}")
        try:
            return tuple(item(v) for v in value)
        except ValueError as exc:
            raise ValueError(f"a list of {what} ({exc})") from None
    return check


def _pattern(regex: re.Pattern, what: str) -> Check:
    def check(value: Any) -> str:
        if not isinstance(value, str) or not regex.match(value):
            raise ValueError(what)
        return value
    return check


def _url(value: Any) -> str:
    url = _string(value)
    if url and not _URL.match(url):
        raise ValueError("empty (not deployed) or an http(s) URL without spaces, quotes or ';'")
    return url


def _term(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("non-empty strings")
    return value.strip()


@dataclass(frozen=True)
class Field:
    section: str
    key: str
    default: Any
    check: Check
    doc: str
    #: only in the managed policy file ([deploy]: what IT's browser policies are rendered from)
    policy_only: bool = False


FIELDS: tuple[Field, ...] = (
    Field("server", "host", DEFAULT_HOST, _loopback_host, "loopback address to listen on"),
    Field("server", "port", DEFAULT_PORT, _int_between(1, 65535), "TCP port (default: this user's own)"),
    Field("server", "max_chars", 20000, _int_between(1, 1_000_000), "longest draft accepted, in code points"),
    Field("server", "deadline_ms", 1500, _int_between(100, 600_000),
          "time one analysis may take; past it the answer says it is incomplete"),
    Field("server", "token", "", _token,
          "pairing secret set by IT; empty: this user's own secret file (see companion/secret.py)"),
    Field("server", "open_analysis", True, _bool,
          "answer /v1/analyze and /v1/redact without pairing (a caller learns only the analysis of its own "
          "text); false: those need pairing too"),
    Field("policy", "sites", DEFAULT_SITES,
          _list_of(_pattern(_MATCH_PATTERN, 'a URL match pattern such as "https://*.example.com/*"'), "match patterns"),
          "URL match patterns where the extension is active"),
    Field("policy", "mode", "warn", _one_of("warn", "block"), "block hides 'post anyway' when risk is high or critical"),
    Field("policy", "warn_level", "medium", _one_of(*RISK_LEVELS[1:]), "risk level at which a post is stopped for review"),
    Field("policy", "fail_mode", "open", _one_of("open", "closed"), "what the extension does when the companion is unreachable"),
    Field("policy", "allowed_extension_ids", (EXTENSION_ID,),
          _list_of(_pattern(_EXTENSION_ID, "a 32-letter Chromium extension ID (a-p)"), "extension IDs"),
          "Chromium extension IDs whose origin may call the API"),
    Field("detection", "categories", CATEGORIES, _list_of(_one_of(*CATEGORIES), "categories", allow_empty=False),
          "finding categories to report"),
    Field("detection", "threshold", 0.4, _fraction, "minimum finding score"),
    Field("detection", "roster", "", _string, "file of names (one a line) that must always be caught"),
    Field("detection", "allow", (), _list_of(_term, "terms"), "terms never flagged"),
    Field("deploy", "browsers", BROWSERS, _list_of(_one_of(*BROWSERS), "browsers", allow_empty=False),
          "browsers to render policies for", policy_only=True),
    Field("deploy", "extension_id", EXTENSION_ID, _pattern(_EXTENSION_ID, "a 32-letter Chromium extension ID (a-p)"),
          "ID of the CRX that Chrome, Edge and Whale force-install", policy_only=True),
    Field("deploy", "gecko_id", GECKO_ID, _pattern(_GECKO_ID, 'a Firefox add-on ID ("name@domain" or "{UUID}")'),
          "ID of the Firefox add-on", policy_only=True),
    Field("deploy", "chrome_update_url", "", _url, "Chrome: URL of the updates.xml the CRX is served from",
          policy_only=True),
    Field("deploy", "edge_update_url", "", _url, "Edge: URL of the updates.xml", policy_only=True),
    Field("deploy", "whale_update_url", "", _url, "Whale: URL of the updates.xml", policy_only=True),
    Field("deploy", "firefox_install_url", "", _url, "Firefox: URL of the signed .xpi", policy_only=True),
)
SECTIONS = {f.section for f in FIELDS}
POLICY_ONLY_SECTIONS = {f.section for f in FIELDS if f.policy_only}


@dataclass(frozen=True)
class ServerConfig:
    host: str
    port: int
    max_chars: int
    deadline_ms: int
    token: str
    open_analysis: bool


@dataclass(frozen=True)
class PolicyConfig:
    sites: tuple[str, ...]
    mode: str
    warn_level: str
    fail_mode: str
    allowed_extension_ids: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "sites": list(self.sites),
            "mode": self.mode,
            "warn_level": self.warn_level,
            "fail_mode": self.fail_mode,
            "allowed_extension_ids": list(self.allowed_extension_ids),
        }


@dataclass(frozen=True)
class DetectionConfig:
    categories: tuple[str, ...]
    threshold: float
    roster: Path | None
    allow: tuple[str, ...]


@dataclass(frozen=True)
class Config:
    server: ServerConfig
    policy: PolicyConfig
    detection: DetectionConfig
    path: Path | None = None
    #: "section.key" -> where the value came from: "default", a file path, "env", "flag" or "policy".
    sources: Mapping[str, str] = field(default_factory=dict)
    #: The managed policy file that was applied, if any.
    policy_path: Path | None = None

    def locked(self, name: str) -> bool:
        """Whether "section.key" is set by the managed policy and so cannot be changed."""
        return self.sources.get(name) == POLICY_SOURCE

    def as_dict(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for f in FIELDS:
            if f.policy_only:
                continue
            value = getattr(getattr(self, f.section), f.key)
            if isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, Path):
                value = str(value)
            elif value is None:
                value = ""
            out.setdefault(f.section, {})[f.key] = value
        return out


# --- locating and reading ---------------------------------------------------------------

def user_config_dir() -> Path:
    """The platform's per-user configuration folder for SecondLook."""
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming") / "SecondLook"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "SecondLook"
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "secondlook"


def machine_policy_path(env: Mapping[str, str] | None = None) -> Path:
    """Where IT puts the machine-wide policy file on this platform."""
    env = os.environ if env is None else env
    if sys.platform == "win32":
        return Path(env.get("PROGRAMDATA") or r"C:\ProgramData") / "SecondLook" / "policy.toml"
    if sys.platform == "darwin":
        return Path("/Library/Application Support/SecondLook/policy.toml")
    return Path("/etc/secondlook/policy.toml")


def resolve_policy_path(path: str | os.PathLike | None, env: Mapping[str, str]) -> tuple[Path, bool]:
    """The policy file to apply and whether it was named explicitly (then it must exist)."""
    if path:
        return Path(path), True
    if env.get(ENV_POLICY):
        return Path(env[ENV_POLICY]), True
    return machine_policy_path(env), False


def resolve_config_path(path: str | os.PathLike | None, env: Mapping[str, str]) -> tuple[Path, bool]:
    """The config file to read and whether it was named explicitly (then it must exist)."""
    if path:
        return Path(path), True
    if env.get(ENV_CONFIG):
        return Path(env[ENV_CONFIG]), True
    return user_config_dir() / "config.toml", False


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file, turning every failure into a ConfigError that names the file."""
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory, expected a TOML file") from None
    except PermissionError:
        raise ConfigError(f"{path}: permission denied") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None


def validate_document(doc: Mapping[str, Any], origin: str,
                      policy_file: bool = False) -> dict[tuple[str, str], Any]:
    """Check a parsed TOML document against FIELDS; return {(section, key): value}.

    ``policy_file``: the document is the managed policy, which may also hold [deploy]."""
    by_key = {(f.section, f.key): f for f in FIELDS}
    values: dict[tuple[str, str], Any] = {}
    for section, table in doc.items():
        if section in POLICY_ONLY_SECTIONS and not policy_file:
            raise ConfigError(f"{origin}: [{section}] belongs in the managed policy file (policy.toml), "
                              "not in a user's config")
        if section not in SECTIONS:
            raise ConfigError(f"{origin}: unknown section [{section}] (expected one of "
                              + ", ".join(f"[{s}]" for s in sorted(SECTIONS)) + ")")
        if not isinstance(table, dict):
            raise ConfigError(f"{origin}: {section} must be a table [{section}]")
        for key, value in table.items():
            spec = by_key.get((section, key))
            if spec is None:
                known = ", ".join(f.key for f in FIELDS if f.section == section)
                raise ConfigError(f"{origin}: unknown key {section}.{key} (known keys: {known})")
            values[(section, key)] = check_value(spec, value, origin)
    return values


def check_value(spec: Field, value: Any, origin: str) -> Any:
    try:
        return spec.check(value)
    except ValueError as exc:
        raise ConfigError(f"{origin}: {spec.section}.{spec.key} must be {exc}") from None


def _roster_path(raw: str, base: Path | None, origin: str) -> Path | None:
    if not raw:
        return None
    path = Path(raw).expanduser()
    if not path.is_absolute() and base is not None:
        path = base / path
    if not path.is_file():
        raise ConfigError(f"{origin}: detection.roster must be a readable file of names; {path} does not exist")
    try:
        path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise ConfigError(f"{origin}: detection.roster must be a readable UTF-8 file; cannot read {path}") from None
    return path


def load_config(
    path: str | os.PathLike | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    policy: str | os.PathLike | None = None,
) -> Config:
    """Build the effective configuration.

    ``overrides`` maps "section.key" to command-line values (already typed); they win over
    everything but the managed policy and are still checked. ``policy`` names the policy
    file (else ``$SECONDLOOK_POLICY``, else the machine-wide file when it exists).
    """
    env = os.environ if env is None else env
    file_path, explicit = resolve_config_path(path, env)
    values: dict[tuple[str, str], Any] = {(f.section, f.key): f.default for f in FIELDS}
    sources = {f"{f.section}.{f.key}": "default" for f in FIELDS}
    roster_origin = "default"
    loaded_from: Path | None = None
    if explicit or file_path.exists():
        for key, value in validate_document(read_toml(file_path), str(file_path)).items():
            values[key] = value
            sources[".".join(key)] = str(file_path)
        loaded_from = file_path
        roster_origin = str(file_path)
    if env.get(ENV_TOKEN):
        spec = next(f for f in FIELDS if (f.section, f.key) == ("server", "token"))
        values[("server", "token")] = check_value(spec, env[ENV_TOKEN], f"${ENV_TOKEN}")
        sources["server.token"] = "env"
    by_name = {f"{f.section}.{f.key}": f for f in FIELDS}
    for name, value in (overrides or {}).items():
        if value is None:
            continue
        values[(by_name[name].section, by_name[name].key)] = check_value(by_name[name], value, "command line")
        sources[name] = "flag"
    roster_base = loaded_from.parent if loaded_from else None
    policy_path, policy_explicit = resolve_policy_path(policy, env)
    applied_policy: Path | None = None
    if policy_explicit or policy_path.exists():
        origin = f"managed policy {policy_path}"
        for key, value in validate_document(read_toml(policy_path), origin, policy_file=True).items():
            values[key] = value
            sources[".".join(key)] = POLICY_SOURCE
        applied_policy = policy_path
        if sources["detection.roster"] == POLICY_SOURCE:
            roster_base, roster_origin = policy_path.parent, origin
    roster = _roster_path(values[("detection", "roster")], roster_base, roster_origin)

    def section(name: str) -> dict[str, Any]:
        return {k: v for (s, k), v in values.items() if s == name}

    return Config(
        server=ServerConfig(**section("server")),
        policy=PolicyConfig(**section("policy")),
        detection=DetectionConfig(**{**section("detection"), "roster": roster}),
        path=loaded_from,
        sources=sources,
        policy_path=applied_policy,
    )
