"""``guanxi demo``: a working Guanxi with demo data and one login per role, in one command."""

import os
import sys
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from django.utils.translation import gettext as _
from rich.console import Console
from rich.table import Table

from guanxi.customers.models import Customer
from guanxi.demo.accounts import DemoLogin, ensure_demo_users
from guanxi.demo.industries import INDUSTRIES
from guanxi.demo.management.commands.demo_data import positive_int
from guanxi.demo.supervisor import supervise
from guanxi.insights.models import AnalysisRun, RunStatus, RunTrigger
from guanxi.insights.services import run_analysis
from guanxi.insights.tasks import schedule_nightly

HOST = "127.0.0.1"
# sun_path holds 108 bytes on Linux (104 on macOS), the terminating NUL included.
UNIX_SOCKET_PATH_MAX = 104


class Command(BaseCommand):
    """Migrate, load demo data if the database has none, create demo users, serve."""

    help = _(
        "Start a demo: migrate the database, load demo data if it has no customers, create "
        "one user per role (password 'guanxi-demo') and serve on http://127.0.0.1:PORT "
        "with gunicorn."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        """Command-line options."""
        parser.add_argument(
            "--customers", type=positive_int, default=3000, help=_("Customers to generate.")
        )
        parser.add_argument(
            "--months", type=positive_int, default=24, help=_("Months of transaction history.")
        )
        parser.add_argument("--industry", choices=sorted(INDUSTRIES), default="bank")
        parser.add_argument("--port", type=int, default=8000, help=_("Port to serve on."))
        parser.add_argument("--workers", type=int, default=2, help=_("gunicorn workers."))
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help=_("Prepare everything but do not start the web server."),
        )

    def handle(self, *args, **options) -> None:
        """Prepare the demo database and users, then hand over to gunicorn."""
        call_command("migrate", interactive=False, verbosity=0)
        if Customer.objects.exists():
            self.stdout.write(_("The database has customers already; no demo data loaded."))
        else:
            call_command(
                "demo_data",
                customers=options["customers"],
                months=options["months"],
                industry=options["industry"],
                verbosity=options["verbosity"],
                stdout=self.stdout,
            )
        self._print_logins(ensure_demo_users())
        self._first_analysis()
        self._collect_static()
        url = f"http://{HOST}:{options['port']}/"
        if options["no_serve"]:
            self.stdout.write(
                _("Ready. Start the server with: guanxi demo (open %(url)s)") % {"url": url}
            )
            return
        self.stdout.write(_("Serving on %(url)s (Ctrl+C stops)") % {"url": url})
        self._serve(options["port"], options["workers"])

    def _print_logins(self, logins: list[DemoLogin]) -> None:
        table = Table(title=_("Demo logins"))
        for heading in (_("User name"), _("Password"), _("Role"), _("Branch"), _("Customers")):
            table.add_column(heading)
        for login in logins:
            table.add_row(
                login.username,
                login.password,
                str(login.role.label),
                login.branch,
                f"{login.customers:,}" if login.customers else "",
            )
        console = Console(width=100)
        with console.capture() as captured:
            console.print(table)
        self.stdout.write(captured.get().rstrip("\n"))

    def _first_analysis(self) -> None:
        """Analyse the demo customers once, so dashboards and scores show from the start."""
        if not AnalysisRun.objects.filter(status=RunStatus.FINISHED).exists():
            self.stdout.write(_("Analysing the demo customers ..."))
            run = run_analysis(trigger=RunTrigger.COMMAND)
            self.stdout.write(
                _("Analysis run %(id)s: %(status)s") % {"id": run.pk, "status": run.status}
            )
        schedule_nightly()

    @staticmethod
    def _collect_static() -> None:
        """Collect static files once, so whitenoise has STATIC_ROOT to serve (and no warning)."""
        root = Path(settings.STATIC_ROOT)
        if not root.exists() or not any(root.iterdir()):
            call_command("collectstatic", interactive=False, verbosity=0)

    def _serve(self, port: int, workers: int) -> None:
        """Run gunicorn and the task worker until Ctrl+C or SIGTERM, which stop them both."""
        connections.close_all()
        sys.stdout.flush()
        code = supervise(
            [
                [sys.executable, "-m", "guanxi.cli", "db_worker"],
                gunicorn_command(port=port, workers=workers, data_dir=Path(settings.DATA_DIR)),
            ]
        )
        if code:
            raise CommandError(
                _("The demo stopped: a process exited with code %(code)s.") % {"code": code}
            )


def gunicorn_command(*, port: int, workers: int, data_dir: Path) -> list[str]:
    """gunicorn serving Guanxi, with a control socket of its own in the demo's data directory.

    gunicorn's default socket is one per user ($XDG_RUNTIME_DIR or ~/.gunicorn), which a
    second demo on the same machine would take over from the first.
    """
    command = [sys.executable, "-m", "gunicorn", "guanxi.wsgi:application"]
    command += ["-b", f"{HOST}:{port}", "-w", str(workers)]
    control = data_dir / f"gunicorn-{port}.ctl"
    if len(os.fsencode(control)) < UNIX_SOCKET_PATH_MAX:
        return [*command, "--control-socket", str(control)]
    return [*command, "--no-control-socket"]
