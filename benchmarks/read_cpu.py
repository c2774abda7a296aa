"""CPU per request of the hot customer reads, measured in-process with Django's test client.

No server, no network: each read is a request through the whole stack (API token, policy,
selectors, audit entry), and the process's CPU time over many requests is divided by their
number. On SQLite this includes the database's own work, which runs in the same process.
Made to compare two versions of the code on copies of one database:

    GUANXI_DATA_DIR=/tmp/scratch guanxi demo-data --customers 20000 --months 12
    PYTHONPATH=. GUANXI_DATA_DIR=/tmp/scratch .venv/bin/python benchmarks/read_cpu.py

It adds two users (an administrator and a branch manager) to the database it is given.
"""

import argparse
import os
import statistics
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402

from guanxi import policy  # noqa: E402
from guanxi.customers.models import Customer  # noqa: E402
from guanxi.org.models import ApiToken, Branch  # noqa: E402
from guanxi.org.roles import Role  # noqa: E402
from guanxi.org.services import create_staff  # noqa: E402

READS = {
    "360": None,
    "list": {"page_size": 50},
    "list_filtered": {"page_size": 50, "status": "loyal"},
    "search_pinyin": {"q": "zhang"},
    "search_name": {"q": "王"},
    "search_phone_tail": {"q": "1234"},
}


def _user(username: str, role: str, branch: Branch | None):
    user = get_user_model().objects.filter(username=username).first()
    return user or create_staff(username, "bench-password-1", [role], branch)


def viewers() -> dict:
    branch = Branch.objects.order_by("pk").first()
    manager = get_user_model().objects.filter(username__contains="-am-")  # demo's naming
    return {
        "admin": _user("bench-admin", Role.ADMINISTRATOR, None),
        "branch_manager": _user("bench-bm", Role.BRANCH_MANAGER, branch),
        "account_manager": manager.order_by("pk").first(),
    }


def cpu_ms_per_request(client: Client, paths: list[tuple[str, dict]], repeat: int) -> float:
    for path, params in paths[:20]:  # warm up: compiled queries, token cache
        assert client.get(path, params).status_code == 200
    start = time.process_time()
    for n in range(repeat):
        path, params = paths[n % len(paths)]
        client.get(path, params)
    return (time.process_time() - start) * 1000 / repeat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="per read and role")
    parser.add_argument("--rounds", type=int, default=3, help="the median of these is shown")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    for role, user in viewers().items():
        _token, raw = ApiToken.issue(user)
        client = Client(headers={"Authorization": f"Bearer {raw}"})
        scope = policy.customer_scope(policy.Viewer.of(user), Customer.objects.all())
        ids = list(scope.order_by("?").values_list("pk", flat=True)[:200])
        for read, params in READS.items():
            if params is None:
                paths = [(f"/api/v1/customers/{pk}", {}) for pk in ids]
            else:
                paths = [("/api/v1/customers", params)]
            rounds = [cpu_ms_per_request(client, paths, args.requests) for _ in range(args.rounds)]
            print(f"{role:16} {read:18} {statistics.median(rounds):7.2f} ms CPU/request")


if __name__ == "__main__":
    main()
