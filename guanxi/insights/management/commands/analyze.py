"""``guanxi analyze``: analyse the whole store now (with progress), or queue a run."""

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from guanxi.analytics.pipeline import STEPS
from guanxi.insights.models import AnalysisRun, RunStatus, RunTrigger
from guanxi.insights.services import RUN_STEPS, queue_run, run_analysis

# The steps insights adds around the pipeline's own (which name theirs in STEPS).
OWN_STEPS = {
    "read": "Reading the store",
    "cross_sell": "Cross-sell suggestions",
    "write": "Writing the results back",
}


def step_label(code: str) -> str:
    """A run step's label for the terminal."""
    return OWN_STEPS.get(code) or STEPS.get(code, (code,))[0]


class Command(BaseCommand):
    """Run the analytics pipeline on the operational store and write the scores back."""

    help = _(
        "Analyse every customer in the store now: RFM, pyramid, CLV, churn warnings, "
        "scores and cross-sell suggestions, written back with history. With --enqueue, "
        "queue the run for the background worker (guanxi db_worker) instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        """Command-line options."""
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help=_("Queue the run for the background worker instead of running it here."),
        )

    def handle(self, *args, **options) -> None:
        """Run (or queue) the analysis and report how it went."""
        if options["enqueue"]:
            run = queue_run(trigger=RunTrigger.COMMAND)
            self.stdout.write(_("Analysis run #%(id)s is queued.") % {"id": run.pk})
            return
        quiet = options["verbosity"] == 0
        with Progress(
            TextColumn("{task.description:<28}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            disable=quiet,
        ) as bar:
            task = bar.add_task(step_label(RUN_STEPS[0]), total=len(RUN_STEPS))
            done = iter(range(len(RUN_STEPS)))

            def advance(code: str) -> None:
                bar.update(task, completed=next(done), description=step_label(code))

            run = run_analysis(trigger=RunTrigger.COMMAND, progress=advance)
            bar.update(task, completed=len(RUN_STEPS))
        if run.status != RunStatus.FINISHED:
            raise CommandError(
                _("Analysis run #%(id)s failed: %(error)s") % {"id": run.pk, "error": run.error}
            )
        if not quiet:
            self._report(run)

    def _report(self, run: AnalysisRun) -> None:
        counts = run.counts
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Analysis run #%(id)s finished: %(customers)s customers scored, %(warnings)s "
                    "churn warnings, %(tiers)s value tiers changed, %(suggestions)s suggestions."
                )
                % {
                    "id": run.pk,
                    "customers": counts["customers"],
                    "warnings": counts["churn_warnings"],
                    "tiers": counts["tier_changes"],
                    "suggestions": counts["suggestions"],
                }
            )
        )
        self.stdout.write(
            _("Read and analyse: %(analyse).1f s; write back: %(write).1f s.")
            % {"analyse": run.seconds_analyse, "write": run.seconds_write}
        )
