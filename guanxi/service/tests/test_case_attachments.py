"""Files kept with cases: attached by those who may work the case, downloaded by those who
may read it, refused over the limits with nothing stored, audited."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from guanxi import policy
from guanxi.audit.models import AuditEntry
from guanxi.service import cases
from guanxi.service.case_models import Case, CaseAttachment
from guanxi.service.tests.conftest import CONTEXT

URL = "/api/v1/cases"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def case(staff, make_customer) -> Case:
    return cases.case_create(
        viewer=policy.Viewer.of(staff["admin"]), customer_id=make_customer("王芳").pk,
        case_type="complaint", channel="letter", priority="normal", subject="来信投诉",
        context=CONTEXT,
    )  # fmt: skip


def letter() -> SimpleUploadedFile:
    return SimpleUploadedFile("投诉信.pdf", b"%PDF-1.4 letter", content_type="application/pdf")


def test_a_letter_is_attached_to_the_case_stored_and_audited(api_as, case):
    response = api_as("account_manager").post(f"{URL}/{case.pk}/attachments", {"file": letter()})
    assert response.status_code == 201, response.content
    stored = CaseAttachment.objects.get()
    assert (stored.case_id, stored.name, stored.file.read()) == (
        case.pk,
        "投诉信.pdf",
        b"%PDF-1.4 letter",
    )
    entry = AuditEntry.objects.get(object_type="case_attachment")
    assert (entry.object_id, entry.object_name) == (str(stored.pk), "投诉信.pdf")


def test_the_attached_file_is_listed_and_downloaded_through_the_api(api_as, case):
    client = api_as("account_manager")
    client.post(f"{URL}/{case.pk}/attachments", {"file": letter()})
    [listed] = client.get(f"{URL}/{case.pk}/attachments").json()
    response = client.get(f"{URL}/{case.pk}/attachments/{listed['id']}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 letter"


def test_a_file_over_the_limit_is_refused_naming_file_and_nothing_is_stored(api_as, case, settings):
    settings.GUANXI_ATTACHMENT_MAX_BYTES = 10
    response = api_as("account_manager").post(f"{URL}/{case.pk}/attachments", {"file": letter()})
    assert response.status_code == 422 and "file" in str(response.json())
    assert not CaseAttachment.objects.exists()
    assert not list(settings.MEDIA_ROOT.rglob("*.pdf")) if settings.MEDIA_ROOT.exists() else True


def test_someone_who_may_not_see_the_case_neither_attaches_nor_downloads(api_as, case):
    api_as("account_manager").post(f"{URL}/{case.pk}/attachments", {"file": letter()})
    stored = CaseAttachment.objects.get()
    outsider = api_as("south_manager")
    assert outsider.post(f"{URL}/{case.pk}/attachments", {"file": letter()}).status_code == 404
    assert outsider.get(f"{URL}/{case.pk}/attachments/{stored.pk}").status_code == 404
    assert CaseAttachment.objects.count() == 1


def test_an_auditor_reads_the_case_but_may_not_attach(api_as, case):
    response = api_as("auditor").post(f"{URL}/{case.pk}/attachments", {"file": letter()})
    assert response.status_code == 403
    assert not CaseAttachment.objects.exists()


def test_the_case_page_lists_its_files_and_takes_a_new_one(client, staff, case):
    client.force_login(staff["account_manager"])
    response = client.post(reverse("service:attach", args=[case.pk]), {"file": letter()})
    assert response.status_code == 302
    page = client.get(reverse("service:detail", args=[case.pk])).content.decode()
    stored = CaseAttachment.objects.get()
    assert reverse("service:attachment", args=[case.pk, stored.pk]) in page
    download = client.get(reverse("service:attachment", args=[case.pk, stored.pk]))
    assert b"".join(download.streaming_content) == b"%PDF-1.4 letter"
