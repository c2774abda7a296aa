"""The query planner's statistics, refreshed after bulk writes.

SQLite gathers no statistics until ANALYZE runs; PostgreSQL's autovacuum gathers its own,
but only a while after a bulk write.
Without them its planner takes an equality on any indexed column for a selective one: it
read every open opportunity through the status index instead of one customer's through the
customer index (0.4 s instead of a millisecond at 500,000 opportunities), and every open
lead instead of a team's. ``analysis_limit`` samples each index instead of reading it whole,
so a refresh takes about a second at a million customers. The sample is the first rows of
each index, so it must span many keys: with a thousand rows every statistic of my day's
(owner, status, due date) index came from one owner and looked as unselective as the owner
alone, and SQLite read all of an owner's activities for the tasks due today.
"""

from collections.abc import Sequence

from django.db import connection
from django.db.models import Model

# Rows sampled per index: 1.0 s for the whole store at 1M customers and 5M activities.
SAMPLE_ROWS = 100_000


def planner_statistics_refresh(tables: Sequence[type[Model]] = ()) -> None:
    """Gather the planner's statistics: on SQLite of every table and index; on PostgreSQL of
    ``tables`` (every table when none is named).

    PostgreSQL's autovacuum would get there, but only some time after a bulk write: until
    then a run's million new scores read as a few thousand, and my day's churn section took
    1.7 s instead of tens of milliseconds after the nightly run.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA analysis_limit={SAMPLE_ROWS}")
            cursor.execute("ANALYZE")
        elif connection.vendor == "postgresql":
            names = ", ".join(connection.ops.quote_name(t._meta.db_table) for t in tables)
            cursor.execute(f"ANALYZE {names}")
