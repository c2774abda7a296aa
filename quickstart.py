"""Guanxi's two quick-start commands, needing nothing but Python 3.11 and pip.

    python3 quickstart.py demo   # virtualenv + install + migrate + demo data + serve :8000
    python3 quickstart.py test   # virtualenv + install + lint + the whole test suite

The test command also runs the suite on PostgreSQL when a server answers on
127.0.0.1:5432 (user postgres, trust auth), the browser tests when Debian's Chromium is
installed and the PySpark tests when Java is (it installs both itself when it runs as root
on Debian). Whatever is missing
is skipped with a message; with CI=true, missing pieces are failures instead.
"""

import hashlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
STAMP = VENV / ".guanxi-installed"
POSTGRES_URL = os.environ.get(
    "GUANXI_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/guanxi"
)
BROWSER_PACKAGES = ["chromium", "fonts-wqy-microhei"]
JAVA_PACKAGES = ["default-jre-headless"]
ON_CI = os.environ.get("CI", "").lower() == "true"


def say(message: str) -> None:
    print(f"[guanxi] {message}", flush=True)


def run(*args: str | Path, env: dict | None = None) -> None:
    subprocess.run([str(a) for a in args], check=True, cwd=ROOT, env=env)


def ensure_python() -> None:
    if sys.version_info[:2] != (3, 11):
        sys.exit(f"Guanxi needs Python 3.11; this is {sys.version.split()[0]}.")


def ensure_installed(extras: list[str]) -> None:
    """Create .venv and install Guanxi with pinned versions and ``extras``, unless done already.

    The stamp holds a hash of the pins and the extras installed with them: the demo installs
    the package alone, the tests add theirs; after the tests the demo needs no install.
    """
    wanted = hashlib.sha256(
        (ROOT / "pyproject.toml").read_bytes() + (ROOT / "constraints.txt").read_bytes()
    ).hexdigest()
    installed = _stamped(wanted)
    if installed is not None and set(extras) <= installed and PYTHON.exists():
        return
    if not PYTHON.exists():
        say("creating the virtual environment in .venv")
        run(sys.executable, "-m", "venv", VENV)
    extras = sorted(set(extras) | (installed or set()))
    target = f".[{','.join(extras)}]" if extras else "."
    say(f"installing Guanxi ({target}) and its pinned dependencies")
    run(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(PYTHON, "-m", "pip", "install", "--quiet", "-e", target, "-c", "constraints.txt")
    STAMP.write_text(json.dumps({"pins": wanted, "extras": extras}))


def _stamped(pins: str) -> set[str] | None:
    """The extras installed with these pins, or None when they are not installed."""
    try:
        stamp = json.loads(STAMP.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(stamp, dict) or stamp.get("pins") != pins:
        return None
    return set(stamp.get("extras", []))


def ensure_system_packages(present: bool, packages: list[str], purpose: str) -> None:
    """Install Debian packages when we can (root with apt-get); otherwise say what skips."""
    if present:
        return
    names = " ".join(packages)
    can_install = shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0
    if not can_install:
        say(f"{names} missing and not installable here (needs root and apt-get):")
        say(f"the {purpose} will be skipped. Install with: apt-get install {names}")
        return
    say(f"installing {names} for the {purpose}")
    quiet = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run("apt-get", "update", "-qq", env=quiet)
    run("apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages, env=quiet)


def postgres_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=3):
            return True
    except OSError:
        return False


# What mypy checks: the analytics library, the policy, the events, and every service and
# selector module (with what they import).
TYPED = [
    "guanxi/analytics",
    "guanxi/policy",
    "guanxi/core/events",
    *sorted(
        str(path.relative_to(ROOT))
        for pattern in (
            "guanxi/*/services.py",
            "guanxi/*/selectors.py",
            "guanxi/*/reveals.py",
            # customers' services, split by idea
            "guanxi/customers/groups.py",
            "guanxi/customers/contacts.py",
            "guanxi/customers/inputs.py",
            "guanxi/customers/holdings.py",
            "guanxi/customers/yearly_days.py",
            "guanxi/customers/definitions.py",
            "guanxi/customers/duplicates.py",
            # activities' services and selectors, split by idea
            "guanxi/activities/attachments.py",
            "guanxi/activities/contact_rules.py",
            "guanxi/activities/my_day.py",
            "guanxi/activities/workflow.py",
            "guanxi/activities/inputs.py",
            # sales, beside its services and selectors
            "guanxi/sales/forecast.py",
            "guanxi/sales/inputs.py",
            "guanxi/sales/workflow.py",
            "guanxi/sales/stage_history.py",
            # leads, beside its services and selectors
            "guanxi/leads/assignment.py",
            "guanxi/leads/conversion.py",
            "guanxi/leads/escalation.py",
            "guanxi/leads/inputs.py",
            "guanxi/leads/scoring.py",
            "guanxi/leads/trail.py",
            "guanxi/leads/workflow.py",
            # the calendar (scheduling): reads, reminders, notifications and the feed
            "guanxi/scheduling/calendar.py",
            "guanxi/scheduling/reminders.py",
            "guanxi/scheduling/notify.py",
            "guanxi/scheduling/feed.py",
            # plans: completion read from activities, and the periods
            "guanxi/plans/completion.py",
            "guanxi/plans/periods.py",
            # the organisation: portfolios, their handover and deactivation
            "guanxi/org/portfolio.py",
            "guanxi/org/handover.py",
            "guanxi/org/deactivation.py",
            "guanxi/core/insert_select.py",
            "guanxi/core/planner_statistics.py",
            "guanxi/core/united_parts.py",
            # process KPIs: the period's arithmetic, scope and each section's reads
            "guanxi/kpis/period.py",
            "guanxi/kpis/scope.py",
            "guanxi/kpis/sections.py",
            "guanxi/kpis/contacts.py",
            "guanxi/kpis/responses.py",
            "guanxi/kpis/pipeline.py",
            "guanxi/kpis/lifecycle.py",
            "guanxi/kpis/revenue.py",
            "guanxi/kpis/planned.py",
            "guanxi/kpis/daily.py",
            "guanxi/kpis/handlers.py",
            "guanxi/core/foreign_keys.py",
            # the service desk: cases, their workflow and SLA clock, and the reference data
            "guanxi/service/cases.py",
            "guanxi/service/case_transitions.py",
            "guanxi/service/case_clock.py",
            "guanxi/service/case_selectors.py",
            "guanxi/service/case_reference.py",
            "guanxi/service/case_trail.py",
            "guanxi/service/field_grants.py",
            "guanxi/service/handlers.py",
            "guanxi/service/workflow.py",
            "guanxi/service/sweep.py",
            "guanxi/service/sla_policies.py",
            # satisfaction surveys, follow-up visits and care reminders
            "guanxi/service/surveys.py",
            "guanxi/service/survey_templates.py",
            "guanxi/service/survey_schedule.py",
            "guanxi/service/follow_ups.py",
            "guanxi/service/care.py",
        )
        for path in ROOT.glob(pattern)
    ),
]


def lint() -> None:
    say("ruff, mypy (analytics, policy, events, services, selectors), migrations, deploy check")
    run(BIN / "ruff", "check", ".")
    run(BIN / "ruff", "format", "--check", ".")
    run(BIN / "mypy", *TYPED)
    run(BIN / "guanxi", "makemigrations", "--check", "--dry-run")
    # The production mode must pass Django's deployment checks with no warning at all.
    production = {
        **os.environ,
        "GUANXI_ENV": "production",
        "GUANXI_SECRET_KEY": secrets.token_urlsafe(50),
    }
    run(BIN / "guanxi", "check", "--deploy", "--fail-level", "WARNING", env=production)


def pytest(extra: list[str], env: dict) -> int:
    return subprocess.run([str(BIN / "pytest"), *extra], cwd=ROOT, env=env).returncode


def test(extra: list[str]) -> int:
    ensure_system_packages(Path("/usr/bin/chromium").exists(), BROWSER_PACKAGES, "browser tests")
    ensure_system_packages(bool(shutil.which("java")), JAVA_PACKAGES, "PySpark tests")
    lint()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    say("test suite on SQLite")
    code = pytest(extra, env)
    if code != 0:
        return code
    if not postgres_reachable():
        message = "PostgreSQL is not answering on 127.0.0.1:5432"
        if ON_CI:
            say(f"{message}: on CI the PostgreSQL suite must run. FAILED")
            return 1
        say(f"{message}: the PostgreSQL suite is skipped.")
        return 0
    say(f"test suite on PostgreSQL ({POSTGRES_URL}, throw-away database test_guanxi)")
    pg_args = ["-m", "not browser", "--ignore=guanxi/analytics", *extra]
    return pytest(pg_args, {**env, "DATABASE_URL": POSTGRES_URL})


def demo(extra: list[str]) -> int:
    return subprocess.run([str(BIN / "guanxi"), "demo", *extra], cwd=ROOT).returncode


def main() -> int:
    ensure_python()
    commands = {"demo": (demo, []), "test": (test, ["test", "spark"])}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit("usage: python3 quickstart.py demo|test [arguments]")
    command, extras = commands[sys.argv[1]]
    ensure_installed(extras)
    return command(sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
