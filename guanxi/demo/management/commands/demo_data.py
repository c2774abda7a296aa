"""``guanxi demo-data``: generate realistic demo customers and transactions at any scale."""

from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from guanxi.activities.demo import generate_activities
from guanxi.core.planner_statistics import planner_statistics_refresh
from guanxi.customers.models import Customer
from guanxi.demo.industries import INDUSTRIES
from guanxi.demo.loader import DemoOptions, load_demo_data
from guanxi.kpis.daily import days_rebuild


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


class Command(BaseCommand):
    """Generate a demo company, its customers, products, holdings and purchase history."""

    help = _(
        "Generate realistic demo data: a company with branches and account managers, "
        "customers (people and organisations) with valid phones and resident IDs, products, "
        "holdings and a transaction history. Refuses to run on a database that has "
        "customers unless --reset is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        """Command-line options."""
        parser.add_argument(
            "--customers", type=positive_int, default=10_000, help=_("Number of customers.")
        )
        parser.add_argument(
            "--months", type=positive_int, default=24, help=_("Months of transaction history.")
        )
        parser.add_argument(
            "--industry",
            choices=sorted(INDUSTRIES),
            default="bank",
            help=_("A bank (deposits, cards, wealth, loans, insurance) or a telecom operator."),
        )
        parser.add_argument(
            "--activities",
            type=int,
            default=2_000,
            help=_("Visits, calls, meetings and tasks to generate (0: none)."),
        )
        parser.add_argument(
            "--no-calendar",
            action="store_true",
            help=_("Do not invite teammates to the demo meetings nor write their reminders."),
        )
        parser.add_argument(
            "--opportunities",
            type=int,
            default=500,
            help=_("Number of sales opportunities (0 for none)."),
        )
        parser.add_argument(
            "--leads",
            type=int,
            default=300,
            help=_("Number of leads from every channel (0 for none)."),
        )
        parser.add_argument(
            "--cases",
            type=int,
            default=0,
            help=_(
                "Number of service cases of every type, channel and priority, with the "
                "service desk's calendar, SLA policies, queues and agents (0 for none)."
            ),
        )
        parser.add_argument(
            "--no-plans",
            action="store_true",
            help=_("Do not write the account managers' plans of this week and month."),
        )
        parser.add_argument("--seed", type=int, default=42, help=_("Random seed."))
        parser.add_argument(
            "--batch-size",
            type=positive_int,
            default=50_000,
            help=_("Customers generated and committed per database transaction."),
        )
        parser.add_argument(
            "--parquet-dir",
            type=Path,
            help=_("Also write customers.parquet and transactions.parquet to this directory."),
        )
        parser.add_argument(
            "--truth",
            type=Path,
            help=_(
                "Also write the generator's truth (who stopped buying for good, and when) "
                "to this Parquet file, for benchmarks. It is never loaded into the database."
            ),
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help=_("Delete ALL data in the database first (users included, like 'flush')."),
        )

    def handle(self, *args, **options) -> None:
        """Check the database is empty (or reset it), then generate and report."""
        existing = Customer.objects.count()
        if existing and not options["reset"]:
            raise CommandError(
                _(
                    "The database already has %(count)d customers. Use --reset to delete all "
                    "data first, or point GUANXI_DATA_DIR / DATABASE_URL at another database."
                )
                % {"count": existing}
            )
        if options["reset"]:
            call_command("flush", interactive=False, verbosity=0)
        summary = load_demo_data(
            DemoOptions(
                customers=options["customers"],
                months=options["months"],
                industry=options["industry"],
                seed=options["seed"],
                batch_size=options["batch_size"],
                parquet_dir=options["parquet_dir"],
                truth_path=options["truth"],
                progress=options["verbosity"] > 0,
            ),
            say=self.stdout.write if options["verbosity"] > 0 else lambda _message: None,
        )
        if options["activities"] > 0:
            made = generate_activities(options["activities"], seed=options["seed"])
            summary.rows["activities_activity"] = made
            if not options["no_calendar"]:
                from guanxi.scheduling.demo import generate_calendar

                summary.rows["scheduling_reminder"] = generate_calendar(seed=options["seed"])
        if options["opportunities"] > 0:
            from guanxi.sales.demo import load_demo_opportunities

            summary.add(
                "sales_opportunity",
                load_demo_opportunities(options["opportunities"], seed=options["seed"]),
            )
        if options["leads"] > 0:
            from guanxi.leads.demo import load_demo_leads

            summary.add("leads_lead", load_demo_leads(options["leads"], seed=options["seed"]))
        if options["cases"] > 0:
            from guanxi.service.demo import load_demo_cases

            summary.add("service_case", load_demo_cases(options["cases"], seed=options["seed"]))
            from guanxi.service.care_demo import load_demo_maturities

            load_demo_maturities()  # the care list's maturing products
        if not options["no_plans"]:
            from guanxi.plans.demo import generate_plans

            summary.add("plans_plan", generate_plans(seed=options["seed"]))
        # Loaded without events: the process KPIs' day figures are summed here in one pass.
        for figure, rows in days_rebuild().items():
            summary.rows[f"kpis_{figure}_day"] = rows
        planner_statistics_refresh()
        if options["verbosity"] > 0:
            for table, count in summary.rows.items():
                self.stdout.write(f"{table:32} {count:>12,}")
            self.stdout.write(
                self.style.SUCCESS(
                    _("Demo data loaded in %(seconds).1f s.") % {"seconds": summary.seconds}
                )
            )
