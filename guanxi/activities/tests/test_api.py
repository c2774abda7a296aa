"""The activities API: log, read, change with the version, complete, reschedule, attach."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from guanxi.activities import workflow
from guanxi.activities.models import Activity, ActivityStatus, Attachment
from guanxi.audit.models import AuditEntry

A = "/api/v1/activities"


def post(client, url, body, **headers):
    return client.post(url, body, content_type="application/json", headers=headers)


def patch(client, url, body, **headers):
    return client.patch(url, body, content_type="application/json", headers=headers)


def fields_of(response) -> set[str]:
    return {d["field"] for d in response.json()["detail"]}


def test_an_account_manager_logs_a_call_on_their_customer(api_as, mine):
    response = post(api_as("account_manager"), A, {
        "kind": "call", "customer_id": mine.pk, "subject": "电话回访", "outcome": "客户满意",
    })  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "done" and body["customer_name"] == "王客户"
    activity = Activity.objects.get(pk=body["id"])
    assert activity.completed_at is not None
    assert AuditEntry.objects.filter(object_type="activity", object_id=str(activity.pk)).exists()


def test_a_task_is_logged_open(api_as, mine):
    response = post(api_as("account_manager"), A, {
        "kind": "task", "customer_id": mine.pk, "subject": "准备方案", "due_on": "2030-01-02",
    })  # fmt: skip
    assert response.status_code == 201
    assert response.json()["status"] == "open"


def test_an_activity_that_ends_before_it_starts_is_refused_naming_ends_at(api_as, mine):
    response = post(api_as("account_manager"), A, {
        "kind": "meeting", "customer_id": mine.pk, "subject": "面谈",
        "starts_at": "2026-03-01T10:00:00+08:00", "ends_at": "2026-03-01T09:00:00+08:00",
    })  # fmt: skip
    assert response.status_code == 422
    assert fields_of(response) == {"ends_at"}
    assert not Activity.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "party"}, "kind"),
        ({"subject": "  "}, "subject"),
        ({"status": "maybe"}, "status"),
        ({"channel": "pigeon"}, "channel"),
        ({"participant_ids": [999999]}, "participant_ids"),
        ({"starts_at": "2026-03-01T10:00:00"}, "starts_at"),
    ],
)
def test_bad_input_names_the_field_and_logs_nothing(api_as, mine, change, field):
    body = {"kind": "call", "customer_id": mine.pk, "subject": "回访", **change}
    response = post(api_as("account_manager"), A, body)
    assert response.status_code == 422, response.content
    assert field in fields_of(response)
    assert not Activity.objects.exists()


def test_logging_on_a_customer_out_of_scope_is_refused_naming_the_customer(api_as, theirs):
    response = post(api_as("account_manager"), A, {
        "kind": "call", "customer_id": theirs.pk, "subject": "回访",
    })  # fmt: skip
    assert response.status_code == 422
    assert fields_of(response) == {"customer_id"}
    assert not Activity.objects.exists()


def test_a_marketer_may_not_log_activities(api_as, mine):
    response = post(api_as("marketer"), A, {"kind": "call", "customer_id": mine.pk, "subject": "x"})
    assert response.status_code == 403
    assert not Activity.objects.exists()


def test_an_activity_of_another_branch_reads_as_missing(api_as, theirs, log):
    activity = log(theirs, role="admin")
    assert api_as("account_manager").get(f"{A}/{activity.pk}").status_code == 404
    assert api_as("branch_manager").get(f"{A}/{activity.pk}").status_code == 404
    assert api_as("admin").get(f"{A}/{activity.pk}").status_code == 200


def test_a_team_lead_sees_the_teams_activities_and_not_another_managers(
    api_as, mine, make_customer, staff, log
):
    other = make_customer("赵的客户", owner_id=staff["other_manager"].pk)
    ours, not_ours = log(mine), log(other, role="admin")
    client = api_as("team_lead")
    assert client.get(f"{A}/{ours.pk}").status_code == 200
    assert client.get(f"{A}/{not_ours.pk}").status_code == 404
    listed = {a["id"] for a in client.get(A).json()["results"]}
    assert listed == {ours.pk}


def test_the_list_filters_by_kind_and_status(api_as, mine, log):
    call, task = log(mine), log(mine, kind="task", subject="准备材料")
    client = api_as("account_manager")
    assert [a["id"] for a in client.get(A, {"kind": "task"}).json()["results"]] == [task.pk]
    assert [a["id"] for a in client.get(A, {"status": "done"}).json()["results"]] == [call.pk]
    bad = client.get(A, {"kind": "party"})
    assert bad.status_code == 422 and fields_of(bad) == {"kind"}


def test_an_update_with_the_version_read_changes_the_activity(api_as, mine, log):
    activity = log(mine)
    response = patch(api_as("account_manager"), f"{A}/{activity.pk}", {
        "outcome": "同意面谈", "version": activity.version,
    })  # fmt: skip
    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "同意面谈" and response.json()["version"] == 2


def test_a_stale_version_changes_nothing(api_as, mine, log):
    activity = log(mine)
    client = api_as("account_manager")
    assert patch(client, f"{A}/{activity.pk}", {"outcome": "一", "version": 1}).status_code == 200
    response = patch(client, f"{A}/{activity.pk}", {"outcome": "二", "version": 1})
    assert response.status_code == 409
    assert Activity.objects.get(pk=activity.pk).outcome == "一"
    response = patch(client, f"{A}/{activity.pk}", {"outcome": "二"}, **{"If-Match": "1"})
    assert response.status_code == 412


def test_an_update_without_a_version_is_refused_naming_version(api_as, mine, log):
    activity = log(mine)
    response = patch(api_as("account_manager"), f"{A}/{activity.pk}", {"outcome": "x"})
    assert response.status_code == 422 and fields_of(response) == {"version"}


def test_an_update_that_makes_it_end_before_it_starts_names_ends_at(api_as, mine, log):
    activity = log(mine)
    before = (activity.starts_at - timedelta(hours=1)).isoformat()
    response = patch(api_as("account_manager"), f"{A}/{activity.pk}", {
        "ends_at": before, "version": 1,
    })  # fmt: skip
    assert response.status_code == 422 and fields_of(response) == {"ends_at"}
    assert Activity.objects.get(pk=activity.pk).ends_at is None


def test_completing_an_open_task_marks_it_done(api_as, mine, log):
    task = log(mine, kind="task", subject="寄送资料")
    response = post(api_as("account_manager"), f"{A}/{task.pk}/complete", {
        "version": task.version, "outcome": "已寄出",
    })  # fmt: skip
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "done" and response.json()["outcome"] == "已寄出"


def test_completing_a_done_activity_is_refused_by_the_workflow(api_as, mine, log):
    call = log(mine)
    assert ActivityStatus.DONE not in workflow.moves_from(call.status)
    response = post(api_as("account_manager"), f"{A}/{call.pk}/complete", {"version": 1})
    assert response.status_code == 422 and fields_of(response) == {"status"}
    assert Activity.objects.get(pk=call.pk).version == 1


def test_a_status_change_outside_the_workflow_is_refused(api_as, mine, log):
    call = log(mine)
    response = patch(api_as("account_manager"), f"{A}/{call.pk}", {"status": "open", "version": 1})
    assert response.status_code == 422 and fields_of(response) == {"status"}


def test_rescheduling_moves_the_time_and_keeps_the_length(api_as, mine, log):
    start = timezone.now() + timedelta(days=1)
    task = log(mine, kind="meeting", status="open", starts_at=start,
               ends_at=start + timedelta(hours=2))  # fmt: skip
    later = (start + timedelta(days=3)).isoformat()
    response = post(api_as("account_manager"), f"{A}/{task.pk}/reschedule", {
        "starts_at": later, "version": 1,
    })  # fmt: skip
    assert response.status_code == 200, response.content
    moved = Activity.objects.get(pk=task.pk)
    assert moved.ends_at - moved.starts_at == timedelta(hours=2)
    assert moved.starts_at - start == timedelta(days=3)


def test_rescheduling_a_done_activity_is_refused(api_as, mine, log):
    call = log(mine)
    response = post(api_as("account_manager"), f"{A}/{call.pk}/reschedule", {
        "due_on": "2030-01-01", "version": 1,
    })  # fmt: skip
    assert response.status_code == 422 and fields_of(response) == {"status"}


def test_a_pdf_is_attached_and_stored(api_as, mine, log):
    activity = log(mine)
    upload = SimpleUploadedFile("方案.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    response = api_as("account_manager").post(f"{A}/{activity.pk}/attachments", {"file": upload})
    assert response.status_code == 201, response.content
    stored = Attachment.objects.get()
    assert stored.name == "方案.pdf" and stored.file.read() == b"%PDF-1.4 test"
    detail = api_as("account_manager").get(f"{A}/{activity.pk}").json()
    assert [a["name"] for a in detail["attachments"]] == ["方案.pdf"]


def test_an_attachment_over_the_limit_is_refused_naming_file(api_as, mine, log, settings):
    settings.GUANXI_ATTACHMENT_MAX_BYTES = 10
    activity = log(mine)
    upload = SimpleUploadedFile("a.pdf", b"x" * 11, content_type="application/pdf")
    response = api_as("account_manager").post(f"{A}/{activity.pk}/attachments", {"file": upload})
    assert response.status_code == 422 and fields_of(response) == {"file"}
    assert not Attachment.objects.exists()
    assert not any((settings.MEDIA_ROOT).rglob("*.pdf")) if settings.MEDIA_ROOT.exists() else True


@pytest.mark.parametrize(
    ("name", "content_type"),
    [("run.exe", "application/octet-stream"), ("a.pdf", "text/html"), ("page.html", "text/html")],
)
def test_a_forbidden_type_is_refused_naming_file(api_as, mine, log, name, content_type):
    activity = log(mine)
    upload = SimpleUploadedFile(name, b"MZ....", content_type=content_type)
    response = api_as("account_manager").post(f"{A}/{activity.pk}/attachments", {"file": upload})
    assert response.status_code == 422 and fields_of(response) == {"file"}
    assert not Attachment.objects.exists()


def test_the_operations_are_in_the_openapi_schema(api_as):
    paths = set(api_as("admin").get("/api/v1/openapi.json").json()["paths"])
    one = "/api/v1/activities/{activity_id}"
    expected = {A, one, f"{one}/complete", f"{one}/reschedule", f"{one}/attachments"}
    assert expected | {"/api/v1/my-day"} <= paths


def test_reading_an_activity_is_audited_naming_its_customer(api_as, mine, log):
    activity = log(mine)
    before = AuditEntry.objects.filter(action="read").count()
    assert api_as("account_manager").get(f"{A}/{activity.pk}").status_code == 200
    entry = AuditEntry.objects.filter(action="read").order_by("-id").first()
    assert AuditEntry.objects.filter(action="read").count() == before + 1
    assert (entry.object_type, entry.object_id, entry.fields) == ("customer", str(mine.pk),
                                                                  ["activities"])  # fmt: skip


def test_a_write_answers_without_auditing_a_read(api_as, mine, log):
    activity = log(mine)
    before = AuditEntry.objects.filter(action="read").count()
    patch(api_as("account_manager"), f"{A}/{activity.pk}", {"outcome": "x", "version": 1})
    assert AuditEntry.objects.filter(action="read").count() == before
