"""Customer read performance at scale: 360, search, filtered list, and sustained throughput.

Serves Guanxi with gunicorn on an existing database (e.g. the 1,000,000-customer demo data),
then from separate processes:

1. latency — N sequential requests per kind (360, search by name / pinyin / phone tail,
   filtered list page, churn warnings by value at risk) with p50/p95/p99;
2. throughput — a locust run (side virtualenv benchmarks/.venv-locust) with a mixed read
   load for a fixed time, reporting requests/s, failures, p95, the CPU milliseconds per
   request used by the server, PostgreSQL, locust and the whole machine, and the machine's
   speed just before and after (ms for a fixed workload: lower is faster).

    .venv/bin/python benchmarks/customer_reads.py --sqlite /tmp/guanxi-1m/guanxi.sqlite3
    .venv/bin/python benchmarks/customer_reads.py --database-url postgres://postgres@127.0.0.1/guanxi_1m

Targets (issue 2): 360 p95 <= 50 ms, search p95 <= 100 ms, list p95 <= 150 ms (issue 10: also
the churn list, `list_churn`, after `guanxi analyze`),
>= 200 requests/s sustained.
"""

import argparse
import json
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
LOCUST_VENV = ROOT / "benchmarks" / ".venv-locust"
LOCUST_VERSION = "2.47.0"
PORT = 8765
TARGETS_MS = {"360": 50, "search_name": 100, "search_pinyin": 100, "search_phone_tail": 100}
TARGETS_MS["list_filtered"] = 150
TARGETS_MS["list_churn"] = 150  # issue 10: the churn warnings by value at risk
CHURN_LIST = "churn_warning=true&sort=-value_at_risk&page_size=50"


def server_env(args) -> dict:
    env = {**os.environ, "GUANXI_ALLOWED_HOSTS": "127.0.0.1,localhost"}
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    else:
        env.pop("DATABASE_URL", None)
        env["GUANXI_DATA_DIR"] = str(Path(args.sqlite).parent)
    return env


def guanxi(args, *command: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "guanxi"), *command], env=server_env(args), capture_output=True, text=True
    )


def bench_token(args) -> str:
    """A token of an administrator (all customers in scope), created on first use."""
    token = guanxi(args, "create-token", "bench_admin", "--name", "benchmark")
    if token.returncode != 0:
        admin = ["bench_admin", "--password", "bench-pass-1", "--role", "administrator"]
        created = guanxi(args, "create-staff", *admin)
        if created.returncode != 0:
            sys.exit(created.stderr)
        token = guanxi(args, "create-token", "bench_admin", "--name", "benchmark")
    return token.stdout.strip()


def sample_queries(args, n: int) -> dict[str, list[str]]:
    """Real customer ids, names, pinyin and phone tails drawn at random from the database."""
    sql = (
        "SELECT id, name, name_pinyin, phone_last4, status, branch_id FROM customers_customer "
        "WHERE id IN ({})"
    )
    if args.database_url:
        import psycopg

        conn = psycopg.connect(args.database_url.replace("postgres://", "postgresql://"))
        max_id = conn.execute("SELECT max(id) FROM customers_customer").fetchone()[0]
        ids = random.sample(range(1, max_id + 1), n)
        rows = conn.execute(sql.format(",".join(map(str, ids)))).fetchall()
    else:
        conn = sqlite3.connect(args.sqlite)
        max_id = conn.execute("SELECT max(id) FROM customers_customer").fetchone()[0]
        ids = random.sample(range(1, max_id + 1), n)
        rows = conn.execute(sql.format(",".join(map(str, ids)))).fetchall()
    conn.close()
    q = urllib.parse.quote
    return {
        "360": [f"/api/v1/customers/{r[0]}" for r in rows],
        "search_name": [f"/api/v1/customers?q={q(r[1])}&page_size=20" for r in rows],
        "search_pinyin": [f"/api/v1/customers?q={q(r[2][:6])}&page_size=20" for r in rows],
        "search_phone_tail": [f"/api/v1/customers?q={r[3]}&page_size=20" for r in rows if r[3]],
        "list_filtered": [
            f"/api/v1/customers?status={r[4]}&branch_id={r[5]}&sort=name&page_size=50" for r in rows
        ],
        # The latest run's churn warnings, largest value at risk first (needs `guanxi analyze`
        # on the database first); the page number varies so that caches do not answer.
        "list_churn": [
            f"/api/v1/customers?{CHURN_LIST}&page={n % 5 + 1}" for n in range(len(rows))
        ],
    }


def start_server(args) -> subprocess.Popen:
    command = [
        str(BIN / "gunicorn"),
        "guanxi.wsgi:application",
        "-b",
        f"127.0.0.1:{PORT}",
        "-w",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, env=server_env(args), cwd=ROOT)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/api/v1/openapi.json", timeout=2)
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    sys.exit("gunicorn did not start")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def measure_latency(paths: list[str], token: str) -> list[float]:
    timings = []
    for path in paths:
        request = urllib.request.Request(
            f"http://127.0.0.1:{PORT}{path}", headers={"Authorization": f"Bearer {token}"}
        )
        start = time.perf_counter()
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
        timings.append((time.perf_counter() - start) * 1000)
    return timings


LOCUSTFILE = """
import json, random
from locust import FastHttpUser, constant, task

PATHS = json.load(open({paths!r}))
TOKEN = {token!r}


class Reader(FastHttpUser):
    wait_time = constant(0)
    default_headers = {{"Authorization": "Bearer " + TOKEN}}

    @task(4)
    def customer_360(self):
        self.client.get(random.choice(PATHS["360"]), name="360")

    @task(4)
    def search(self):
        kind = random.choice(["search_name", "search_pinyin", "search_phone_tail"])
        self.client.get(random.choice(PATHS[kind]), name="search")

    @task(2)
    def list_page(self):
        self.client.get(random.choice(PATHS["list_filtered"]), name="list")
"""


def cpu_ms() -> dict[str, float]:
    """CPU milliseconds used so far by the machine, the server's processes, PostgreSQL's and
    locust (this process's finished children), to tell where a request's CPU goes.

    A process's figure includes its children that have exited: PostgreSQL's backends come
    and go as workers renew their connections, and the postmaster inherits their CPU time.
    """
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    used = {"machine": (sum(fields) - fields[3] - fields[4]) * 1000 / os.sysconf("SC_CLK_TCK")}
    for proc in Path("/proc").iterdir():
        try:
            stat = (proc / "stat").read_text()
            command = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        group = "gunicorn" if b"gunicorn" in command else "postgres" if name == "postgres" else ""
        if group:
            ticks = stat[stat.rindex(")") + 2 :].split()[11:15]  # (c)utime, (c)stime
            used[group] = used.get(group, 0) + sum(map(int, ticks)) * 1000 / os.sysconf(
                "SC_CLK_TCK"
            )
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    used["locust"] = (children.ru_utime + children.ru_stime) * 1000
    return used


def machine_speed_ms() -> float:
    """Milliseconds of one core's CPU time a fixed pure-Python workload takes (best of 5).

    The virtual machines this runs on change speed by up to 2x over minutes, with the same
    code; throughput figures of different runs compare only alongside this one.
    """
    timings = []
    for _ in range(5):
        start, total = time.process_time(), 0
        for i in range(1_000_000):
            total += i * i % 7
        timings.append((time.process_time() - start) * 1000)
    return round(min(timings), 1)


def ensure_locust() -> Path:
    locust = LOCUST_VENV / "bin" / "locust"
    if not locust.exists():
        subprocess.run([sys.executable, "-m", "venv", str(LOCUST_VENV)], check=True)
        pip = [str(LOCUST_VENV / "bin" / "pip"), "install", "-q", f"locust=={LOCUST_VERSION}"]
        subprocess.run(pip, check=True)
    return locust


def measure_throughput(paths: dict, token: str, users: int, seconds: int) -> dict:
    locust = ensure_locust()
    with tempfile.TemporaryDirectory() as tmp:
        paths_file = Path(tmp) / "paths.json"
        paths_file.write_text(json.dumps(paths))
        locustfile = Path(tmp) / "locustfile.py"
        locustfile.write_text(LOCUSTFILE.format(paths=str(paths_file), token=token))
        prefix = Path(tmp) / "run"
        command = [
            str(locust),
            "-f",
            str(locustfile),
            "--headless",
            "-u",
            str(users),
            "-r",
            str(users),
            "--run-time",
            f"{seconds}s",
            "-H",
            f"http://127.0.0.1:{PORT}",
            "--csv",
            str(prefix),
            "--only-summary",
        ]
        speed_before = machine_speed_ms()
        before = cpu_ms()
        run = subprocess.run(command, check=False, capture_output=True, text=True)
        after = cpu_ms()
        speed_after = machine_speed_ms()
        lines = (Path(f"{prefix}_stats.csv")).read_text().splitlines()
    header = lines[0].split(",")
    total = dict(zip(header, lines[-1].split(","), strict=False))
    if total["95%"] == "N/A":
        sys.exit("locust made no successful requests:\n" + run.stderr[-3000:])
    requests = max(1, int(total["Request Count"]))
    cpu = {k: round((after[k] - before.get(k, 0)) / requests, 2) for k in after}
    return {
        "cpu_ms_per_request": cpu,
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "requests_per_s": float(total["Requests/s"]),
        "p95_ms": float(total["95%"]),
        "users": users,
        "seconds": seconds,
        "machine_speed_ms_before_after": [speed_before, speed_after],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--sqlite", help="path of a Guanxi SQLite database")
    where.add_argument("--database-url", help="a PostgreSQL URL")
    parser.add_argument("--requests", type=int, default=300, help="per latency kind")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="threads per worker; above 1 gunicorn's gthread workers keep connections alive",
    )
    parser.add_argument("--users", type=int, default=16, help="concurrent locust users")
    parser.add_argument("--seconds", type=int, default=60, help="length of the load run")
    args = parser.parse_args()
    random.seed(2026)
    token = bench_token(args)
    paths = sample_queries(args, args.requests)
    server = start_server(args)
    try:
        measure_latency(paths["360"][:20], token)  # warm caches and connections
        print(f"{'kind':<20}{'n':>6}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}{'target':>10}")
        for kind, kind_paths in paths.items():
            timings = measure_latency(kind_paths, token)
            p95 = percentile(timings, 95)
            verdict = "ok" if p95 <= TARGETS_MS[kind] else "MISSED"
            print(
                f"{kind:<20}{len(timings):>6}{statistics.median(timings):>10.1f}{p95:>10.1f}"
                f"{percentile(timings, 99):>10.1f}{TARGETS_MS[kind]:>8} {verdict}"
            )
        result = measure_throughput(paths, token, args.users, args.seconds)
        verdict = "ok" if result["requests_per_s"] >= 200 and not result["failures"] else "MISSED"
        print(f"mixed reads: {json.dumps(result)} target >= 200 req/s {verdict}")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
