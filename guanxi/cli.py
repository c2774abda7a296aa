"""The ``guanxi`` console command.

Analyst commands that need no database (``clv``, ``churn`` and ``analyze-file``) run
directly on the analytics library; everything else, ``analyze`` (the operational store's
analysis) too, is a Django management command. The command name alone decides.

Both speak the environment's language (``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``:
``zh…`` is Chinese, anything else English). The analyst commands and this overview use the
analytics library's stdlib-gettext catalogue, so they start without Django; the Django
commands get the same language activated before they are loaded, and word their texts
through the project's catalogue.
"""

import os
import sys

# Named apart from Django's ``_``: these texts are in the analytics catalogue, not Django's.
from guanxi.analytics.messages import _ as cli_text
from guanxi.analytics.messages import environment_language

# Hyphenated names read better on a command line; Django command modules need underscores.
COMMAND_ALIASES = {
    "demo-data": "demo_data",
    "create-token": "create_token",
    "create-staff": "create_staff",
    "revoke-tokens": "revoke_tokens",
    "schedule-nightly": "schedule_nightly",
    "db-worker": "db_worker",
    "dispatch-events": "dispatch_events",
    "escalate-leads": "escalate_leads",
    "sweep-cases": "sweep_cases",
    "schedule-follow-ups": "schedule_follow_ups",
    "invite-surveys": "invite_surveys",
    "send-reminders": "send_reminders",
    "sum-kpi-days": "sum_kpi_days",
}
ANALYST_COMMANDS = (
    ("clv", "fit a customer lifetime value model on a transaction file"),
    ("churn", "train a churn model on a customer file, or score a file with it"),
    ("analyze-file", "the whole customer-base analysis of one transaction file"),
)
STORE_COMMANDS = (
    ("demo", "start a demo: database, demo data, users, web server"),
    ("analyze", "analyse every customer in the store and write the scores back"),
    ("demo-data", "generate realistic demo data"),
    ("create-staff", "create a member of staff"),
    ("create-token", "issue a bearer token for the REST API"),
    ("revoke-tokens", "revoke every API token of a user"),
    ("schedule-nightly", "queue the nightly analysis run"),
    ("db-worker", "run the background task worker"),
    ("dispatch-events", "hand committed domain events to their handlers"),
    ("escalate-leads", "escalate leads nobody answered in time"),
    ("sweep-cases", "warn cases near their SLA deadline, escalate breached ones"),
    ("schedule-follow-ups", "schedule the follow-up visits the rules ask for"),
    ("invite-surveys", "invite the customers due for the scheduled surveys"),
    ("sum-kpi-days", "sum the process KPIs' day figures again after a bulk load"),
    ("migrate", "create or update the database tables"),
)
DJANGO_LANGUAGES = {"zh": "zh-hans", "en": "en"}


def overview() -> str:
    """``guanxi --help``: the commands, in the environment's language."""
    lines = [
        cli_text("usage: guanxi COMMAND [options]"),
        "",
        cli_text("Analyst commands (no database):"),
    ]
    lines += [f"  {name:<21}{cli_text(text)}" for name, text in ANALYST_COMMANDS]
    lines += ["", cli_text("Commands on the operational store:")]
    lines += [f"  {name:<21}{cli_text(text)}" for name, text in STORE_COMMANDS]
    lines += [
        "",
        cli_text("'guanxi COMMAND --help' shows a command's options; 'guanxi help' lists all."),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run one ``guanxi`` subcommand and return its exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(overview())
        return 0
    if args[0] == "clv":
        from guanxi.analytics.clv.cli import main as clv_main

        return clv_main(args[1:])
    if args[0] == "churn":
        from guanxi.analytics.churn_cli import main as churn_main

        return churn_main(args[1:])
    if args[0] == "analyze-file":
        from guanxi.analytics.analyze_cli import main as analyze_main

        return analyze_main(args[1:])
    args[0] = COMMAND_ALIASES.get(args[0], args[0])
    _run_django_command(args)
    return 0


def _settings_option(args: list[str]) -> str | None:
    """The ``--settings`` a command was given, which Django would read after set-up."""
    for i, arg in enumerate(args):
        if arg.startswith("--settings="):
            return arg.partition("=")[2]
        if arg == "--settings" and i + 1 < len(args):
            return args[i + 1]
    return None


def _run_django_command(args: list[str]) -> None:
    settings = _settings_option(args)
    if settings:
        os.environ["DJANGO_SETTINGS_MODULE"] = settings
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
    import django
    from django.core.management import execute_from_command_line
    from django.utils import translation

    # Commands word their help when their module is loaded: activate the language first.
    django.setup()
    translation.activate(DJANGO_LANGUAGES[environment_language()])
    execute_from_command_line(["guanxi", *args])


if __name__ == "__main__":
    sys.exit(main())
