"""The ``guanxi`` console command.

Analyst commands that need no database (``clv``, ``churn`` and ``analyze-file``) run
directly on the analytics library; everything else, ``analyze`` (the operational store's
analysis) too, is a Django management command. The command name alone decides.
"""

import os
import sys

# Hyphenated names read better on a command line; Django command modules need underscores.
COMMAND_ALIASES = {
    "demo-data": "demo_data",
    "create-token": "create_token",
    "create-staff": "create_staff",
    "revoke-tokens": "revoke_tokens",
    "schedule-nightly": "schedule_nightly",
    "db-worker": "db_worker",
    "dispatch-events": "dispatch_events",
}


def main(argv: list[str] | None = None) -> int:
    """Run one ``guanxi`` subcommand and return its exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "clv":
        from guanxi.analytics.clv.cli import main as clv_main

        return clv_main(args[1:])
    if args and args[0] == "churn":
        from guanxi.analytics.churn_cli import main as churn_main

        return churn_main(args[1:])
    if args and args[0] == "analyze-file":
        from guanxi.analytics.analyze_cli import main as analyze_main

        return analyze_main(args[1:])
    if args:
        args[0] = COMMAND_ALIASES.get(args[0], args[0])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["guanxi", *args])
    return 0


if __name__ == "__main__":
    sys.exit(main())
