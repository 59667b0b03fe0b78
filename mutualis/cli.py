"""The `mutualis` command, the one entry point.

Pure commands (`reimburse`, `games`) run on the engine alone and never start Django.
Every other subcommand is a Django management command (`demo`, `serve`, `refdata`,
`territory`, `check`, `inventory`, `migrate`, `createsuperuser`…); all of them honour
DATABASE_URL.
"""

from __future__ import annotations

import importlib
import os
import sys

# Subcommand -> module exposing `main(argv: list[str]) -> int`, without Django.
PURE_COMMANDS = {
    "reimburse": "mutualis.commands.reimburse",
    "games": "mutualis.commands.games",
}

# `mutualis check` is our deployment self-check, not Django's system check.
RENAMED = {"check": "selfcheck"}
# Exit status of a configuration error (bad environment variable), as for any bad input.
CONFIGURATION_ERROR = 2


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in PURE_COMMANDS:
        module = importlib.import_module(PURE_COMMANDS[args[0]])
        return int(module.main(args[1:]))
    if args and args[0] in RENAMED:
        args[0] = RENAMED[args[0]]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mutualis.config.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 - reads the settings, failing here, not later
    except ImproperlyConfigured as exc:
        print(f"Erreur de configuration : {exc}", file=sys.stderr)
        return CONFIGURATION_ERROR
    execute_from_command_line(["mutualis", *args])
    return 0


if __name__ == "__main__":
    sys.exit(main())
