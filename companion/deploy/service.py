"""``secondlook service``: start the companion at login for the current user.

One backend per platform, each a file plus the commands that register it:

- Linux: a systemd user unit in ``~/.config/systemd/user/``, enabled with ``systemctl --user``;
- macOS: a LaunchAgent plist in ``~/Library/LaunchAgents/``, loaded with ``launchctl``;
- Windows: a Task Scheduler logon task, registered from its XML with ``schtasks``.

``install`` also registers ``secondlook native-host`` with the user's browsers (see
native_hosts.py) so the extension can learn the pairing secret; ``uninstall`` removes it.

The files are produced by pure functions, so every platform's file can be generated and
checked anywhere (``--platform X --dry-run``). The service runs this installation's
``secondlook serve`` by absolute path; exit status 2 (bad configuration or policy, port in
use) is not restarted in a loop where the platform allows it.
"""

from __future__ import annotations

import argparse
import getpass
import os
import plistlib
import re
import shlex
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

from .. import __version__
from ..cli_common import EXIT_FOUND, EXIT_OK, CLIError, add_config_options
from ..config import EXTENSION_ID, load_config
from ..logs import log_dir
from .native_hosts import NativeHosts, plan_native_hosts, remove_files, write_files
from .probe import SECONDLOOK, probe

PLATFORMS = ("linux", "macos", "windows")
UNIT_NAME = "secondlook.service"
LAUNCHD_LABEL = "org.secondlook.companion"
TASK_NAME = "SecondLook"
DESCRIPTION = "SecondLook companion: local review of drafts before they are posted"
TASK_NS = "http://schemas.microsoft.com/windows/2004/02/mit/task"
COMMAND_TIMEOUT_S = 30


def current_platform() -> str:
    return {"win32": "windows", "darwin": "macos"}.get(sys.platform, "linux")


def serve_command(platform: str, config: str | None = None, policy: str | None = None,
                  subcommand: str = "serve") -> list[str]:
    """The absolute command line that runs this installation's ``secondlook <subcommand>``."""
    bindir = Path(os.path.abspath(sys.executable)).parent
    if platform == "windows":
        # pythonw.exe: a console program started at logon would open a console window; the
        # native host talks over standard input and output, so it needs python.exe.
        python = "pythonw.exe" if subcommand == "serve" else "python.exe"
        command = [str(bindir / python), "-m", "companion.cli", subcommand]
    else:
        script = bindir / "secondlook"
        command = ([str(script), subcommand] if script.exists()
                   else [str(bindir / "python"), "-m", "companion.cli", subcommand])
    if config:
        command += ["--config", os.path.abspath(config)]
    if policy:
        command += ["--policy", os.path.abspath(policy)]
    return command


# --- file contents ----------------------------------------------------------------------

_SYSTEMD_PLAIN = re.compile(r"^[A-Za-z0-9/_.:=@+,-]+$")


def systemd_quote(arg: str) -> str:
    """Quote one ExecStart argument: specifiers (%) and variables ($) are escaped too."""
    arg = arg.replace("%", "%%").replace("$", "$$")
    if _SYSTEMD_PLAIN.match(arg):
        return arg
    return '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"'


def systemd_unit(command: Sequence[str]) -> str:
    return "\n".join([
        "[Unit]",
        f"Description={DESCRIPTION}",
        "",
        "[Service]",
        "Type=simple",
        "ExecStart=" + " ".join(systemd_quote(a) for a in command),
        "Restart=on-failure",
        "RestartSec=5",
        "# 2 = configuration, policy or start-up error (e.g. port in use): a restart cannot fix it",
        "RestartPreventExitStatus=2",
        "KillSignal=SIGTERM",
        "TimeoutStopSec=10",
        "NoNewPrivileges=yes",
        "",
        "[Install]",
        "WantedBy=default.target",
        "",
    ])


def launchd_plist(command: Sequence[str], log_path: Path) -> bytes:
    return plistlib.dumps({
        "Label": LAUNCHD_LABEL,
        "ProgramArguments": list(command),
        "RunAtLoad": True,
        # Restart after a crash, not after a clean stop (SIGTERM exits 0).
        "KeepAlive": {"SuccessfulExit": False},
        "ThrottleInterval": 10,
        "StandardOutPath": str(log_path),
        "StandardErrorPath": str(log_path),
    })


def task_xml(command: Sequence[str], user: str) -> bytes:
    """A Task Scheduler 1.2 task: at this user's logon, run without elevation, no time limit."""
    ET.register_namespace("", TASK_NS)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{TASK_NS}}}{tag}", attrs)
        element.text = text
        return element

    task = ET.Element(f"{{{TASK_NS}}}Task", {"version": "1.2"})
    info = sub(task, "RegistrationInfo")
    sub(info, "Description", DESCRIPTION)
    sub(info, "URI", "\\" + TASK_NAME)
    trigger = sub(sub(task, "Triggers"), "LogonTrigger")
    sub(trigger, "Enabled", "true")
    sub(trigger, "UserId", user)
    principal = sub(sub(task, "Principals"), "Principal", id="Author")
    sub(principal, "UserId", user)
    sub(principal, "LogonType", "InteractiveToken")
    sub(principal, "RunLevel", "LeastPrivilege")
    settings = sub(task, "Settings")
    for tag, text in (("MultipleInstancesPolicy", "IgnoreNew"), ("DisallowStartIfOnBatteries", "false"),
                      ("StopIfGoingOnBatteries", "false"), ("AllowHardTerminate", "true"),
                      ("StartWhenAvailable", "true"), ("RunOnlyIfNetworkAvailable", "false"),
                      ("AllowStartOnDemand", "true"), ("Enabled", "true"), ("Hidden", "false"),
                      ("RunOnlyIfIdle", "false"), ("ExecutionTimeLimit", "PT0S"), ("Priority", "7")):
        sub(settings, tag, text)
    restart = sub(settings, "RestartOnFailure")
    sub(restart, "Interval", "PT1M")
    sub(restart, "Count", "3")
    action = sub(sub(task, "Actions", Context="Author"), "Exec")
    sub(action, "Command", command[0])
    sub(action, "Arguments", subprocess.list2cmdline(command[1:]))
    ET.indent(task)
    body = ET.tostring(task, encoding="unicode")
    # schtasks /XML expects UTF-16 with a byte order mark.
    return ('<?xml version="1.0" encoding="UTF-16"?>\n' + body + "\n").encode("utf-16")


# --- per-platform plan ------------------------------------------------------------------

@dataclass(frozen=True)
class Step:
    argv: tuple[str, ...]
    required: bool = True  # False: a failure is expected when nothing was registered

    def __str__(self) -> str:
        return subprocess.list2cmdline(self.argv) if self.argv[0] == "schtasks" else shlex.join(self.argv)


@dataclass(frozen=True)
class Service:
    platform: str
    path: Path
    content: bytes
    install: tuple[Step, ...]
    uninstall: tuple[Step, ...]
    start: tuple[Step, ...]
    stop: tuple[Step, ...]
    query: Step  # exit status 0 when registered

    def text(self) -> str:
        return self.content.decode("utf-16" if self.platform == "windows" else "utf-8")


def plan(platform: str, command: Sequence[str], env: Mapping[str, str] | None = None,
         home: Path | None = None) -> Service:
    env = os.environ if env is None else env
    home = home or Path.home()
    if platform == "linux":
        path = Path(env.get("XDG_CONFIG_HOME") or home / ".config") / "systemd" / "user" / UNIT_NAME
        ctl = ("systemctl", "--user")
        return Service(
            platform, path, systemd_unit(command).encode(),
            install=(Step(ctl + ("daemon-reload",)), Step(ctl + ("enable", UNIT_NAME)),
                     Step(ctl + ("restart", UNIT_NAME))),
            uninstall=(Step(ctl + ("disable", "--now", UNIT_NAME), required=False),
                       Step(ctl + ("daemon-reload",), required=False)),
            start=(Step(ctl + ("start", UNIT_NAME)),),
            stop=(Step(ctl + ("stop", UNIT_NAME)),),
            query=Step(ctl + ("is-enabled", UNIT_NAME)),
        )
    if platform == "macos":
        uid = str(os.getuid()) if hasattr(os, "getuid") else "501"
        path = home / "Library" / "LaunchAgents" / f"{LAUNCHD_LABEL}.plist"
        target = f"gui/{uid}/{LAUNCHD_LABEL}"
        return Service(
            # the companion logs to its own rotated file there; this catches what happens before
            platform, path, launchd_plist(command, home / "Library" / "Logs" / "SecondLook" / "service-output.log"),
            install=(Step(("launchctl", "bootout", target), required=False),
                     Step(("launchctl", "bootstrap", f"gui/{uid}", str(path)))),
            uninstall=(Step(("launchctl", "bootout", target), required=False),),
            start=(Step(("launchctl", "kickstart", target)),),
            stop=(Step(("launchctl", "kill", "SIGTERM", target)),),
            query=Step(("launchctl", "print", target)),
        )
    if platform == "windows":
        local = Path(env.get("LOCALAPPDATA") or home / "AppData" / "Local")
        path = local / "SecondLook" / "secondlook-task.xml"
        user = "\\".join(p for p in (env.get("USERDOMAIN"), env.get("USERNAME") or getpass.getuser()) if p)
        return Service(
            platform, path, task_xml(command, user),
            install=(Step(("schtasks", "/Create", "/TN", TASK_NAME, "/XML", str(path), "/F")),
                     Step(("schtasks", "/Run", "/TN", TASK_NAME))),
            uninstall=(Step(("schtasks", "/End", "/TN", TASK_NAME), required=False),
                       Step(("schtasks", "/Delete", "/TN", TASK_NAME, "/F"), required=False)),
            start=(Step(("schtasks", "/Run", "/TN", TASK_NAME)),),
            stop=(Step(("schtasks", "/End", "/TN", TASK_NAME)),),
            query=Step(("schtasks", "/Query", "/TN", TASK_NAME)),
        )
    raise ValueError(f"unknown platform {platform!r}")


# --- running it -------------------------------------------------------------------------

def run_step(step: Step) -> tuple[bool, str]:
    """(succeeded, last line of its output) for one registration command."""
    try:
        done = subprocess.run(step.argv, capture_output=True, text=True, timeout=COMMAND_TIMEOUT_S)
    except FileNotFoundError:
        return False, f"{step.argv[0]} not found"
    except subprocess.TimeoutExpired:
        return False, f"no answer after {COMMAND_TIMEOUT_S} s"
    output = (done.stderr or done.stdout).strip().splitlines()
    return done.returncode == 0, output[-1] if output else f"exit status {done.returncode}"


def run_steps(steps: Sequence[Step], dry_run: bool, service: Service) -> None:
    for step in steps:
        if dry_run:
            print(f"would run: {step}")
            continue
        ok, detail = run_step(step)
        if not ok and step.required:
            hint = (" (no systemd user manager in this session: run it from a desktop login)"
                    if service.platform == "linux" and "bus" in detail.lower() else "")
            raise CLIError(f"`{step}` failed: {detail}{hint}")


def registered(service: Service) -> bool | None:
    """Whether the platform knows the service (None: its service manager is unavailable)."""
    if not service.path.exists():
        return False
    if service.platform == "linux" and not systemd_user_available():
        return None
    ok, detail = run_step(service.query)
    return None if not ok and detail.endswith("not found") else ok


def systemd_user_available() -> bool:
    ok, _ = run_step(Step(("systemctl", "--user", "show-environment")))
    return ok


def install_native_hosts(hosts: NativeHosts, dry_run: bool) -> None:
    """Register ``secondlook native-host`` with this user's browsers (before the service: it
    does not need the service manager)."""
    for item in hosts.files:
        print(f"would write {item.path}" if dry_run else f"wrote {item.path}")
    if not dry_run:
        write_files(hosts)
    for argv in hosts.register:
        if dry_run:
            print(f"would run: {subprocess.list2cmdline(argv)}")
            continue
        ok, detail = run_step(Step(argv))
        if not ok:
            raise CLIError(f"`{subprocess.list2cmdline(argv)}` failed: {detail}")


def uninstall_native_hosts(hosts: NativeHosts, dry_run: bool) -> None:
    for argv in hosts.unregister:
        if dry_run:
            print(f"would run: {subprocess.list2cmdline(argv)}")
        else:
            run_step(Step(argv, required=False))
    if dry_run:
        for item in hosts.files:
            print(f"would remove {item.path}")
        return
    for path in remove_files(hosts):
        print(f"removed {path}")


def install(service: Service, dry_run: bool) -> None:
    if dry_run:
        print(f"would write {service.path}:")
        print(service.text(), end="" if service.text().endswith("\n") else "\n")
    else:
        service.path.parent.mkdir(parents=True, exist_ok=True)
        log_dir().mkdir(parents=True, exist_ok=True)  # launchd does not create its output file's folder
        service.path.write_bytes(service.content)
        print(f"wrote {service.path}")
    run_steps(service.install, dry_run, service)
    if not dry_run:
        print("the companion now starts at login; check it with `secondlook service status`")


def uninstall(service: Service, dry_run: bool) -> None:
    if not service.path.exists() and not dry_run:
        print(f"not installed ({service.path} does not exist)")
        return
    run_steps(service.uninstall, dry_run, service)
    if dry_run:
        print(f"would remove {service.path}")
    else:
        service.path.unlink(missing_ok=True)
        print(f"removed {service.path}")


def status(service: Service, host: str, port: int) -> int:
    state = registered(service)
    label = {True: "registered", False: "not registered",
             None: "file present, service manager unavailable in this session"}[state]
    print(f"service: {label} ({service.path})")
    found = probe(host, port)
    if found.state == SECONDLOOK:
        version = (found.health or {}).get("version", "?")
        condition = "ready" if found.status == 200 else (found.health or {}).get("status", "starting")
        print(f"companion: {condition} on {host}:{port}, version {version} (this install: {__version__})")
    else:
        print(f"companion: not answering on {host}:{port} ({found.state})")
    return EXIT_OK if state and found.state == SECONDLOOK else EXIT_FOUND


def cmd_service(args: argparse.Namespace) -> int:
    if args.platform != current_platform() and not args.dry_run:
        raise CLIError(f"--platform {args.platform} can only be generated here (add --dry-run)")
    service = plan(args.platform, serve_command(args.platform, args.config, args.policy))
    host_command = serve_command(args.platform, args.config, args.policy, subcommand="native-host")
    if args.action == "install":
        config = load_config(args.config, policy=args.policy)  # never install a service that cannot start
        install_native_hosts(plan_native_hosts(args.platform, host_command, config.policy.allowed_extension_ids),
                             args.dry_run)
        install(service, args.dry_run)
    elif args.action == "uninstall":  # works whatever state the configuration is in
        uninstall_native_hosts(plan_native_hosts(args.platform, host_command, (EXTENSION_ID,)), args.dry_run)
        uninstall(service, args.dry_run)
    elif args.action == "status":
        config = load_config(args.config, policy=args.policy)
        return status(service, config.server.host, config.server.port)
    else:
        run_steps(service.start if args.action == "start" else service.stop, args.dry_run, service)
    return EXIT_OK


def add_service_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "service", help="start the companion at login (systemd user unit, LaunchAgent, logon task)",
        description="Register, remove, inspect, start or stop the per-user login service. "
                    "status exits 1 when the service is not registered or the companion is not answering.")
    parser.add_argument("action", choices=("install", "uninstall", "status", "start", "stop"))
    parser.add_argument("--dry-run", action="store_true", help="print what would be written and run; change nothing")
    parser.add_argument("--platform", choices=PLATFORMS, default=current_platform(),
                        help="generate another platform's service (with --dry-run)")
    add_config_options(parser, "config file for the service (default: the user's)")
    parser.set_defaults(func=cmd_service)
