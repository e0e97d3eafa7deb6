"""What every ``secondlook`` command shares: exit codes, the one-line error, the parser and
its common options. Kept apart from ``cli.py`` so the commands in ``deploy/`` can use them
without importing the command line that imports them.

Exit status for every command: 0 success; 1 ``check`` found medium risk or above (``doctor``
a problem, ``service status`` a companion not installed or not running); 2 usage,
configuration or start-up errors, with a one-line message on stderr.
"""

from __future__ import annotations

import argparse

EXIT_OK, EXIT_FOUND, EXIT_ERROR = 0, 1, 2


class CLIError(Exception):
    """A one-line message for stderr; the command exits with status 2."""


class Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line with status 2."""

    def error(self, message: str) -> None:
        self.exit(EXIT_ERROR, f"{self.prog}: {message}\n")


def add_policy_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--policy", metavar="FILE",
                        help="managed policy file (default: $SECONDLOOK_POLICY, else the machine-wide one)")


def add_config_options(parser: argparse.ArgumentParser, config_help: str = "config file") -> None:
    """``--config FILE`` and ``--policy FILE``, as every command that reads the configuration takes them."""
    parser.add_argument("--config", metavar="FILE", help=config_help)
    add_policy_option(parser)
