"""The ``secondlook`` command line (exit statuses: see ``cli_common``)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any, Sequence

from . import __version__
from .cli_common import EXIT_ERROR, EXIT_FOUND, EXIT_OK, CLIError, Parser, add_config_options
from .config import (POLICY_SOURCE, RISK_LEVELS, Config, ConfigError, load_config, read_toml,
                     resolve_config_path, resolve_policy_path, validate_document)

# --- serve ------------------------------------------------------------------------------

def cmd_serve(args: argparse.Namespace) -> int:
    from .logs import configure_logging
    from .server import StartupError, serve

    flags = {"server.host": args.host, "server.port": args.port}
    config = load_config(args.config, overrides=flags, policy=args.policy)
    for name, value in flags.items():
        if value is not None and config.locked(name):
            print(f"secondlook: {name} = {value} from the command line ignored: locked by the managed "
                  f"policy {config.policy_path}", file=sys.stderr)
    configure_logging()
    try:
        serve(config)
    except StartupError as exc:
        raise CLIError(str(exc)) from None
    return EXIT_OK


# --- check ------------------------------------------------------------------------------

def _read_input(source: str) -> str:
    if source == "-":
        data = sys.stdin.buffer.read()
        name = "standard input"
    else:
        try:
            data = Path(source).read_bytes()
        except OSError as exc:
            raise CLIError(f"{source}: cannot read ({exc.strerror})") from None
        name = source
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CLIError(f"{name}: not UTF-8 text") from None


def _one_line(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def format_table(result: dict[str, Any]) -> str:
    rows = [("at", "category", "type", "text", "suggestion", "why")]
    for f in result["findings"]:
        rows.append((f"{f['start']}-{f['end']}", f["category"], f["entity_type"],
                     _one_line(f["text"], 24), _one_line(f.get("suggestion", ""), 20),
                     _one_line(f.get("reason", ""), 48)))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)) + "  " + r[-1] for r in rows]
    if len(rows) == 1:
        lines = ["no findings"]
    risk = result["risk"]
    lines.append("")
    lines.append(f"risk: {risk['level']}")
    lines.extend(f"  - {reason}" for reason in risk.get("reasons", []))
    return "\n".join(lines)


def cmd_check(args: argparse.Namespace) -> int:
    from .engine_holder import EngineHolder

    config = load_config(args.config, policy=args.policy)
    text = _read_input(args.file)
    holder = EngineHolder(config.detection)
    try:
        holder.load()
    except Exception:
        raise CLIError(f"the detection engine failed to load: {holder.error}") from None
    result = holder.engine.analyze(text, args.language, redacted_text=True)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(format_table(result))
    level = RISK_LEVELS.index(result["risk"]["level"])
    return EXIT_FOUND if level >= RISK_LEVELS.index("medium") else EXIT_OK


# --- config -----------------------------------------------------------------------------

def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a valid TOML basic string


def format_config(config: Config) -> str:
    lines: list[str] = []
    for section, table in config.as_dict().items():
        lines.append(f"[{section}]")
        for key, value in table.items():
            if key == "token" and value:
                value = value[:4] + "…"  # enough to recognise, not to use
            source = config.sources.get(f"{section}.{key}", "default")
            if (section, key) == ("server", "port") and source == "default":
                source = "default for this user"
            if source == POLICY_SOURCE:
                source = f"{POLICY_SOURCE} {config.policy_path} (locked)"
            lines.append(f"{key} = {toml_value(value)}  # {source}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def cmd_config(args: argparse.Namespace) -> int:
    path = args.file or args.config
    if args.action == "show":
        print(format_config(load_config(path, policy=args.policy)), end="")
        return EXIT_OK
    if args.policy and not path:  # validate only the managed policy file
        policy_path, _ = resolve_policy_path(args.policy, os.environ)
        validate_document(read_toml(policy_path), f"managed policy {policy_path}", policy_file=True)
        load_config(policy=policy_path)  # also checks the roster it may name
        print(f"{policy_path}: valid")
        return EXIT_OK
    file_path, _ = resolve_config_path(path, os.environ)
    if not file_path.exists():
        raise CLIError(f"{file_path}: file not found")
    validate_document(read_toml(file_path), str(file_path))
    load_config(file_path, policy=args.policy)  # also checks cross-file references such as the roster
    print(f"{file_path}: valid")
    return EXIT_OK


# --- token and native host -------------------------------------------------------------

def cmd_token(args: argparse.Namespace) -> int:
    """Print the pairing secret (IT pushes it as the extension's managed ``token``); this
    user's own secret file is created if there is none and no ``[server] token`` is set."""
    from .secret import resolve_secret

    config = load_config(args.config, policy=args.policy)
    secret, source = resolve_secret(config)
    print(secret)
    print(f"pairing secret from {source}", file=sys.stderr)
    return EXIT_OK


def cmd_native_host(args: argparse.Namespace) -> int:
    from .native_host import main as native_host_main

    return native_host_main(args.config, args.policy)


# --- entry point ------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="secondlook", description="SecondLook companion: local draft review service")
    parser.add_argument("--version", action="version", version=f"secondlook {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    serve = sub.add_parser("serve", help="serve the HTTP API on a loopback address")
    serve.add_argument("--host", help="loopback address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="TCP port (default: this user's own, `secondlook config show`)")
    add_config_options(serve)
    serve.set_defaults(func=cmd_serve)

    check = sub.add_parser("check", help="analyse a text file or stdin and print the findings")
    check.add_argument("file", nargs="?", default="-", metavar="FILE|-")
    check.add_argument("--json", action="store_true", help="print the API's JSON")
    check.add_argument("--language", choices=("ko", "en", "auto"), default="auto")
    add_config_options(check)
    check.set_defaults(func=cmd_check)

    config = sub.add_parser("config", help="show the effective configuration or validate a file")
    config.add_argument("action", choices=("show", "validate"))
    config.add_argument("file", nargs="?", metavar="FILE")
    add_config_options(config)
    config.set_defaults(func=cmd_config)

    token = sub.add_parser("token", help="print the pairing secret (this user's own is created if there is none)")
    add_config_options(token)
    token.set_defaults(func=cmd_token)

    host = sub.add_parser("native-host", help="the browsers' native-messaging host (started by the browser)")
    add_config_options(host)
    # Chrome passes the caller's origin (and on Windows --parent-window=N), Firefox the
    # manifest path and the extension id: accepted and ignored.
    host.add_argument("caller", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    host.set_defaults(func=cmd_native_host)

    from .deploy.browser_policies import add_policies_parser
    from .deploy.doctor import add_doctor_parser
    from .deploy.service import add_service_parser
    add_service_parser(sub)
    add_doctor_parser(sub)
    add_policies_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ConfigError, CLIError) as exc:
        print(f"secondlook: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
