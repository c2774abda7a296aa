"""Time the customer list's CSV export on a demo database: rows per second and peak memory.

    GUANXI_DATA_DIR=/tmp/perf-100k .venv/bin/python benchmarks/customer_export.py
    GUANXI_DATA_DIR=/tmp/perf-100k .venv/bin/python benchmarks/customer_export.py --role marketer

Runs the export service exactly as the list page's "Export CSV" does (policy scope and masking,
formula neutralisation, one audit entry) for a member of staff with the given role (created in
the database as ``bench-export-<role>`` on first use), and reads the CSV stream to its end
without keeping it. Reports rows, seconds, rows/s with the per-1,000,000 extrapolation, the
process's resident memory before the export and its peak during it (a flat peak across
database sizes shows the stream keeps constant memory), the load average and a machine-speed
reference (``customer_reads.machine_speed_ms``); the CPU time beside the wall time, which a
neighbour's load on the shared machine disturbs less. Target: 1,000,000 customers in at most 30 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from a checkout, not an installed package
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
os.environ.setdefault("GUANXI_EXPORT_MAX_ROWS", "2000000")

from benchmarks.customer_reads import machine_speed_ms  # noqa: E402


def rss_mb() -> dict[str, float]:
    """This process's resident memory now, MB: ``anon`` (heap: what a leak would grow) and
    ``file`` (pages of files mapped in, mostly the SQLite database read through ``mmap_size``,
    which the kernel can drop at any time and which grows with the database, not the stream)."""
    found = {}
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(("RssAnon:", "RssFile:")):
                found[line[3:7].lower()] = int(line.split()[1]) / 1024
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--role", default="administrator")
    parser.add_argument("--branch", help="branch code for a branch-scoped role, e.g. BJ01")
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from guanxi import policy
    from guanxi.audit.services import RequestContext
    from guanxi.customers import exports

    username = f"bench-export-{args.role}"
    users = get_user_model().objects
    if not users.filter(username=username).exists():
        branch = ["--branch", args.branch] if args.branch else []
        call_command("create_staff", username, "--password", "x", "--role", args.role, *branch)
    viewer = policy.Viewer.of(users.select_related("profile").get(username=username))

    speed_before, load_before = machine_speed_ms(), os.getloadavg()[0]
    before = rss_mb()
    peak = dict(before)
    start, cpu_start = time.perf_counter(), time.process_time()
    export = exports.customer_export_for_user(
        viewer=viewer, raw_filter={}, context=RequestContext(channel="web")
    )
    size = 0
    for chunk in exports.csv_stream(export):
        size += len(chunk)
        # sampled once per chunk of lines (2,000 rows): cheap, and fine enough for a peak
        peak = {kind: max(peak[kind], mb) for kind, mb in rss_mb().items()}
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    peak_total = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    speed_after, load_after = machine_speed_ms(), os.getloadavg()[0]

    rows = export.count
    print(f"export of {rows:,} customers as {args.role}: {size / 2**20:.1f} MB of CSV")
    print(f"time {seconds:.2f} s, {rows / seconds:,.0f} rows/s, {seconds / rows * 1e6:.1f} µs/row")
    print(f"per 1,000,000 customers: {seconds / rows * 1e6:.1f} s (target 30 s)")
    # On a shared machine the CPU time of this process varies less than the wall time.
    print(f"CPU time {cpu:.2f} s, {cpu / rows * 1e6:.1f} µs/row, {cpu / rows * 1e6:.1f} s per 1M")
    print(
        f"memory: heap {before['anon']:.0f} MB before, peak {peak['anon']:.0f} MB; "
        f"mapped database pages peak {peak['file']:.0f} MB; peak RSS {peak_total:.0f} MB"
    )
    print(f"machine speed {speed_before} / {speed_after} ms (before/after; lower is faster)")
    print(f"load average (1 min) {load_before:.1f} / {load_after:.1f}")


if __name__ == "__main__":
    main()
