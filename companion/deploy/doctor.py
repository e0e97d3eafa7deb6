"""``secondlook doctor``: is this PC ready? Every check prints what it found and, when it
is not fine, how to fix it.

Checks: configuration and managed policy validity, the port (free or held by SecondLook),
the detection engine (load time, memory, one analysis), the pairing secret (where it comes
from, and that no other user can read it), the login service, the running companion
(reachable, same version, and that it pairs with this user's secret for the exact address,
as the extension does) and the log folder. Exit status 1 when a check fails (or, with
``--strict``, warns), 0 when all is well, 2 on usage errors. ``--json`` prints one JSON object
instead (see :func:`report`), for fleet scripts.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .. import API_VERSION, __version__
from ..cli_common import EXIT_FOUND, EXIT_OK, add_config_options
from ..config import (DEFAULT_HOST, DEFAULT_PORT, POLICY_ONLY_SECTIONS, Config, ConfigError, load_config, read_toml,
                      resolve_config_path, resolve_policy_path, validate_document)
from ..logs import LOG_FILE, log_dir
from ..secret import ensure_user_secret, readable_by_others, secret_path
from . import service as svc
from .probe import FREE, OTHER, SECONDLOOK, Owner, Probe, port_owner, probe, verified

OK, WARN, FAIL = "ok", "warn", "FAIL"
#: A made-up ward-talk paragraph (a name, a phone number, a hospital and a training year among
#: everyday sentences) repeated to ``SAMPLE_CHARS`` characters: the draft timed once the engine is
#: loaded. Only its length is ever reported.
SAMPLE_PARAGRAPH = ("오늘 병동 분위기가 너무 안 좋았어요. 인수인계 시간이 길어져서 퇴근이 늦었습니다. "
                    "박서준 교수님이 또 그랬어요. 다들 비슷한 경험 있으신가요? "
                    "환자 보호자 민원이 계속 들어와서 힘드네요. 연락처는 010-4821-7730 입니다. "
                    "당직 스케줄이 또 바뀌었다고 합니다. The night shift was short-staffed again. "
                    "부산성모병원 내과 2년차요. 회의 때 분명히 말했는데 기록에는 없더라고요. ")
SAMPLE_CHARS = 3000
SAMPLE_DRAFT = (SAMPLE_PARAGRAPH * (SAMPLE_CHARS // len(SAMPLE_PARAGRAPH) + 1))[:SAMPLE_CHARS]
SLOW_LOAD_MS = 30_000
SLOW_ANALYSIS_MS = 500
LARGE_RSS_BYTES = 1536 * 1024 * 1024


@dataclass(frozen=True)
class Finding:
    name: str
    status: str
    detail: str
    fix: str = ""

    @property
    def id(self) -> str:
        """The check's stable identifier ("port", not "port 47813")."""
        return self.name.split()[0]


# --- individual checks ------------------------------------------------------------------

def check_config_file(path: str | None) -> Finding:
    file_path, explicit = resolve_config_path(path, os.environ)
    if not explicit and not file_path.exists():
        return Finding("config", OK, f"no config file ({file_path}): defaults")
    try:
        validate_document(read_toml(file_path), str(file_path))
    except ConfigError as exc:
        return Finding("config", FAIL, str(exc), f"correct {file_path}; `secondlook config validate {file_path}` "
                                                 "checks it again")
    return Finding("config", OK, f"{file_path}: valid")


def check_policy_file(path: str | None) -> Finding:
    policy_path, explicit = resolve_policy_path(path, os.environ)
    if not explicit and not policy_path.exists():
        return Finding("policy", OK, f"no managed policy ({policy_path} absent)")
    origin = f"managed policy {policy_path}"
    try:
        keys = validate_document(read_toml(policy_path), origin, policy_file=True)
    except ConfigError as exc:
        return Finding("policy", FAIL, f"{exc}; the companion refuses to start",
                       f"IT: correct {policy_path} (`secondlook config validate --policy {policy_path}`)")
    locked = ", ".join(".".join(k) for k in keys if k[0] not in POLICY_ONLY_SECTIONS) or "nothing"
    return Finding("policy", OK, f"{policy_path}: valid; locks {locked}")


def check_effective(args: argparse.Namespace) -> tuple[Config | None, Finding]:
    try:
        config = load_config(args.config, overrides={"server.port": args.port}, policy=args.policy)
    except ConfigError as exc:
        return None, Finding("settings", FAIL, str(exc), "fix the file named above")
    note = " (--port ignored: the policy locks server.port)" if args.port and config.locked("server.port") else ""
    own = " (this user's default)" if config.sources.get("server.port") == "default" else ""
    return config, Finding("settings", OK, f"port {config.server.port}{own}, max_chars {config.server.max_chars}, "
                                           f"mode {config.policy.mode}, fail_mode {config.policy.fail_mode}{note}")


def check_port(host: str, port: int, found: Probe, owner: Owner | None) -> Finding:
    name = f"port {port}"
    choose = ("choose a free port: set [server] port in the config (the extension learns it from "
              "`secondlook native-host`) or, for IT, in the managed policy and the extension's managed storage")
    if found.state == FREE:
        return Finding(name, OK, f"free on {host} (no companion running)")
    held_by = "" if owner is None else f", process {owner.process or '?'} of user {owner.user}"
    if owner is not None and hasattr(os, "getuid") and owner.uid != os.getuid():
        what = "SecondLook" if found.state == SECONDLOOK else "a program"
        return Finding(name, FAIL, f"held by another user ({owner.user}, {what}): this user's companion "
                                   "cannot listen there", "on shared PCs " + choose)
    if found.state == SECONDLOOK:
        return Finding(name, OK, f"held by SecondLook {(found.health or {}).get('version', '?')}{held_by}")
    what = f"answers HTTP {found.status}, not SecondLook" if found.state == OTHER else "held but not answering HTTP"
    return Finding(name, FAIL, f"used by another program ({what}{held_by})", choose)


def check_companion(host: str, port: int, found: Probe, secret: str) -> Finding:
    if found.state != SECONDLOOK:
        return Finding("companion", WARN, f"not running on {host}:{port}",
                       "`secondlook service start` (or `secondlook serve`)")
    health = found.health or {}
    if found.status != 200:
        if health.get("status") == "failed":
            return Finding("companion", FAIL, "running, but its detection engine failed to load",
                           "see the service log (journalctl --user -u secondlook, or run `secondlook serve`)")
        return Finding("companion", WARN, "running, engine still loading", "wait a few seconds and run doctor again")
    version = health.get("version")
    if version != __version__ or health.get("api") != API_VERSION:
        return Finding("companion", FAIL, f"running version {version} (API {health.get('api')}); "
                                          f"this install is {__version__} (API {API_VERSION})",
                       "restart it so the installed version runs: `secondlook service stop`, then "
                       "`secondlook service start`")
    if not secret:  # this user's companion would have created this user's secret when it started
        return Finding("companion", FAIL, f"SecondLook on {host}:{port} is not this user's companion (this user "
                                          "has no pairing secret yet): the extension sends it nothing",
                       "on shared PCs each user has their own port (`secondlook config show`); start this "
                       "user's companion (`secondlook service install`)")
    problem = verified(host, port, secret)
    if problem:
        return Finding("companion", FAIL, f"the program on {host}:{port} is not verified as this user's companion "
                                          f"({problem}): the extension sends it nothing",
                       "on shared PCs each user has their own port (`secondlook config show`); stop the other "
                       "program or restart this user's service")
    return Finding("companion", OK, f"version {version} ready, verified with this user's secret for {host}:{port}")


def check_secret(config: Config) -> tuple[Finding, str]:
    """Where the pairing secret comes from and whether anyone but this user can read it; and the secret."""
    if config.server.token:
        source = config.sources.get("server.token", "?")
        holder = config.policy_path if source == "policy" else None if source in ("env", "flag") else Path(source)
        exposed = readable_by_others(holder) if holder else None
        where = f"managed policy {config.policy_path}" if source == "policy" else source
        if exposed:
            return Finding("secret", WARN, f"set by [server] token in {where}, and {exposed}: other users of "
                                           "this PC can read it and pose as this user's companion",
                           f"`chmod 600 {holder}`; or leave [server] token empty so each user has their own "
                           "secret (created at first start)"), config.server.token
        return Finding("secret", OK, f"set by [server] token ({where})"), config.server.token
    path = secret_path()
    if not path.exists():
        return Finding("secret", WARN, f"none yet ({path}): created when the companion first starts",
                       "`secondlook token` (or start the companion)"), ""
    exposed = readable_by_others(path) or readable_by_others(path.parent)
    try:
        secret = ensure_user_secret(path)
    except ConfigError as exc:
        return Finding("secret", FAIL, str(exc), f"delete {path}; a new secret is created at the next start"), ""
    if exposed:
        return Finding("secret", WARN, f"{exposed}: other users of this PC could read this user's secret",
                       f"`chmod 700 {path.parent}` and `chmod 600 {path}`, then delete it to have a new one made"), secret
    return Finding("secret", OK, f"this user's own ({path}, readable by this user only)"), secret


def resident_memory() -> tuple[int | None, str]:
    """(bytes, label): current RSS where the OS tells it, else the peak."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024, "resident"
    except OSError:
        pass
    try:
        import resource
    except ImportError:
        return None, "unknown"
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return (peak if sys.platform == "darwin" else peak * 1024), "peak"


def _mb(value: int | None) -> str:
    return "?" if value is None else f"{value / 1024 / 1024:.0f} MB"


def check_engine(config: Config) -> Finding:
    from ..engine_holder import EngineHolder

    before, _ = resident_memory()
    holder = EngineHolder(config.detection)
    try:
        holder.load()
    except Exception:
        return Finding("engine", FAIL, f"failed to load: {holder.error}",
                       "reinstall SecondLook (its models and data come with the package)")
    started = time.perf_counter()
    holder.engine.analyze(SAMPLE_DRAFT, "auto")
    analysis_ms = (time.perf_counter() - started) * 1000
    after, label = resident_memory()
    grown = None if before is None or after is None or label != "resident" else after - before
    detail = (f"loaded in {holder.load_ms / 1000:.1f} s, {_mb(after)} {label} (+{_mb(grown)} for the engine); "
              f"a {len(SAMPLE_DRAFT)}-character draft took {analysis_ms:.0f} ms")
    if holder.load_ms > SLOW_LOAD_MS or analysis_ms > SLOW_ANALYSIS_MS or (after or 0) > LARGE_RSS_BYTES:
        return Finding("engine", WARN, detail + " (slow or large for this PC)",
                       "close other programs or use a faster PC; until the engine is ready the extension "
                       "follows fail_mode")
    return Finding("engine", OK, detail)


def check_service(args: argparse.Namespace) -> Finding:
    platform = svc.current_platform()
    service = svc.plan(platform, svc.serve_command(platform, args.config, args.policy))
    state = svc.registered(service)
    if state:
        return Finding("service", OK, f"registered ({service.path})")
    if state is None:
        return Finding("service", WARN, f"{service.path} present, but the service manager is unavailable here",
                       "check from the user's desktop session")
    return Finding("service", WARN, "not registered: the companion will not start at login",
                   "`secondlook service install`")


def check_logs() -> Finding:
    folder = log_dir()
    path = folder / LOG_FILE
    if not folder.exists():
        return Finding("logs", OK, f"{folder} (created when the companion first starts)")
    if not os.access(folder, os.W_OK):
        return Finding("logs", WARN, f"{folder} is not writable: the companion logs to standard error only",
                       f"give this user write access to {folder}")
    size = f"{path.stat().st_size / 1024:.0f} KB" if path.exists() else "no log yet"
    return Finding("logs", OK, f"{path} ({size})")


# --- running ----------------------------------------------------------------------------

def run_checks(args: argparse.Namespace, emit: Callable[[Finding], None]) -> list[Finding]:
    findings: list[Finding] = []

    def add(finding: Finding) -> None:
        findings.append(finding)
        emit(finding)

    files = [check_config_file(args.config), check_policy_file(args.policy)]
    for finding in files:
        add(finding)
    config, settings = check_effective(args)
    if settings.status != FAIL or all(f.status != FAIL for f in files):  # else its cause is reported above
        add(settings)
    host = config.server.host if config else DEFAULT_HOST
    port = config.server.port if config else (args.port or DEFAULT_PORT)
    found = probe(host, port)
    add(check_port(host, port, found, port_owner(port) if found.state != FREE else None))
    secret = ""
    if config is None:
        add(Finding("engine", WARN, "skipped: fix the configuration first"))
    else:
        finding, secret = check_secret(config)
        add(finding)
        add(check_engine(config) if not args.skip_engine else Finding("engine", OK, "skipped (--skip-engine)"))
    add(check_service(args))
    add(check_companion(host, port, found, secret))
    add(check_logs())
    return findings


def print_finding(finding: Finding) -> None:
    print(f"{finding.status:<5} {finding.name:<11} {finding.detail}", flush=True)
    if finding.fix and finding.status != OK:
        print(f"{'':<17} fix: {finding.fix}", flush=True)


def problems(findings: list[Finding], strict: bool) -> list[Finding]:
    return [f for f in findings if f.status == FAIL or (strict and f.status == WARN)]


def report(findings: list[Finding], strict: bool) -> dict:
    """The ``--json`` answer. Its keys are stable: ``version``, ``healthy`` (no problem),
    ``exit_status``, ``problems``, ``warnings``, ``log_dir`` and ``checks``, a list of
    ``{"id", "name", "status": "ok"|"warn"|"fail", "detail", "fix"}``."""
    failed = problems(findings, strict)
    return {
        "version": __version__,
        "healthy": not failed,
        "exit_status": EXIT_FOUND if failed else EXIT_OK,
        "problems": len(failed),
        "warnings": sum(f.status == WARN for f in findings),
        "log_dir": str(log_dir()),
        "checks": [{"id": f.id, "name": f.name, "status": f.status.lower(), "detail": f.detail, "fix": f.fix}
                   for f in findings],
    }


def cmd_doctor(args: argparse.Namespace) -> int:
    if args.json:
        answer = report(run_checks(args, lambda finding: None), args.strict)
        print(json.dumps(answer, ensure_ascii=False, indent=2))
        return answer["exit_status"]
    print(f"SecondLook doctor {__version__}")
    findings = run_checks(args, print_finding)
    failed = problems(findings, args.strict)
    warned = sum(f.status == WARN for f in findings)
    if failed:
        print(f"\n{len(failed)} problem(s) found")
        return EXIT_FOUND
    print("\nall good" + (f" ({warned} warning(s))" if warned else ""))
    return EXIT_OK


def _port(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port (1-65535)")
    return int(value)


def add_doctor_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("doctor", help="check this PC's set-up and print a fix for each problem",
                            description="Exit status: 0 all good, 1 a problem found, 2 usage error.")
    parser.add_argument("--port", type=_port, help="port to check (default: the configured one)")
    add_config_options(parser)
    parser.add_argument("--skip-engine", action="store_true", help="do not load the engine (faster)")
    parser.add_argument("--strict", action="store_true", help="treat warnings as problems (exit 1)")
    parser.add_argument("--json", action="store_true", help="print one JSON object (stable keys) instead")
    parser.set_defaults(func=cmd_doctor)
