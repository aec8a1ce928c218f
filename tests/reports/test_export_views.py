"""The staff export pages through real requests: list, request, status, download."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from reports.exports.jobs import request_export
from reports.models import ExportJob, ExportStatus
from surveys.models import Questionnaire, User

pytestmark = pytest.mark.django_db

LIST_URL = reverse("reports:export-list")


def target_value(questionnaire: Questionnaire) -> str:
    return f"questionnaire:{questionnaire.pk}"


@pytest.fixture
def done_job(
    status_questionnaire: Questionnaire,
    staff_user: User,
    django_capture_on_commit_callbacks: Any,
) -> ExportJob:
    with django_capture_on_commit_callbacks(execute=True):
        job = request_export(
            status_questionnaire, actor=staff_user, kind="svarsstatus", format="csv"
        )
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE
    return job


def test_staff_request_an_export_and_see_it_done_with_a_download_link(
    client: Client,
    staff_user: User,
    status_questionnaire: Questionnaire,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            LIST_URL,
            {
                "target": target_value(status_questionnaire),
                "kind": "svarsstatus",
                "format": "xlsx",
                "options": "urval=ej-inskickade",
            },
        )
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert (job.requested_by, job.questionnaire, job.format) == (
        staff_user,
        status_questionnaire,
        "xlsx",
    )
    assert job.options == {"urval": "ej-inskickade"}
    page = client.get(LIST_URL).content.decode()
    assert "Exporten är beställd (Svarsstatus, Excel (.xlsx))." in page
    assert reverse("reports:export-download", args=[job.pk]) in page
    assert "Ladda ned svarsstatus-2041-region.xlsx" in page
    assert f'aria-labelledby="export-{job.pk}-forlopp export-{job.pk}"' in page
    assert '<progress max="100" value="100"' in page


def test_a_wrong_request_is_explained_and_keeps_what_was_typed(
    client: Client, staff_user: User, status_questionnaire: Questionnaire
) -> None:
    client.force_login(staff_user)
    response = client.post(
        LIST_URL,
        {
            "target": target_value(status_questionnaire),
            "kind": "svarsstatus",
            "format": "csv",
            "options": "urval=några",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Exporten beställdes inte" in page
    assert "Urval: välj alla eller ej-inskickade (inte ”några”)." in page
    assert "urval=några</textarea>" in page
    assert not ExportJob.objects.exists()


def test_a_questionnaire_export_of_a_whole_cycle_is_refused(
    client: Client, staff_user: User, status_questionnaire: Questionnaire
) -> None:
    client.force_login(staff_user)
    response = client.post(
        LIST_URL,
        {
            "target": f"cycle:{status_questionnaire.cycle_id}",
            "kind": "svarsstatus",
            "format": "csv",
        },
    )
    assert response.status_code == 200
    assert (
        "Välj en enkät: Svarsstatus gäller en enkät i taget."
        in response.content.decode()
    )
    assert not ExportJob.objects.exists()


def test_the_status_endpoint_reports_progress_as_json(
    client: Client, staff_user: User, done_job: ExportJob
) -> None:
    client.force_login(staff_user)
    response = client.get(reverse("reports:export-status", args=[done_job.pk]))
    assert response.status_code == 200
    assert response.json() == {
        "id": done_job.pk,
        "status": "done",
        "status_label": "Klar",
        "progress": 100,
        "message": "Klar",
        "error": "",
        "active": False,
        "download_url": reverse("reports:export-download", args=[done_job.pk]),
    }


def test_staff_download_the_file_under_a_sensible_name(
    client: Client, staff_user: User, done_job: ExportJob
) -> None:
    client.force_login(staff_user)
    response = client.get(reverse("reports:export-download", args=[done_job.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="svarsstatus-2041-region.csv"'
    )
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert hashlib.sha256(body).hexdigest() == done_job.manifest["sha256"]
    assert body.decode("utf-8-sig").startswith("Kod;Organisation;Status;")


def test_a_job_without_a_file_has_nothing_to_download(
    client: Client, staff_user: User, done_job: ExportJob
) -> None:
    done_job.file.delete(save=True)
    client.force_login(staff_user)
    response = client.get(reverse("reports:export-download", args=[done_job.pk]))
    assert response.status_code == 404


def test_a_job_that_does_not_exist_is_404_for_staff(
    client: Client, staff_user: User
) -> None:
    client.force_login(staff_user)
    for name in ("reports:export-status", "reports:export-download"):
        assert client.get(reverse(name, args=[999999])).status_code == 404


@pytest.mark.parametrize("persona", ["region_user", "rss_user", "kommun_user"])
def test_respondents_cannot_see_request_or_download_exports(
    client: Client,
    persona: str,
    request: pytest.FixtureRequest,
    done_job: ExportJob,
    status_questionnaire: Questionnaire,
) -> None:
    client.force_login(request.getfixturevalue(persona))
    for url in (
        LIST_URL,
        reverse("reports:export-status", args=[done_job.pk]),
        reverse("reports:export-download", args=[done_job.pk]),
        reverse("reports:export-status", args=[999999]),
    ):
        response = client.get(url)
        # 404, as for anything outside one's scope: the page does not say it exists.
        assert response.status_code == 404, url
        assert b"Kod;Organisation" not in response.content
    response = client.post(
        LIST_URL,
        {
            "target": target_value(status_questionnaire),
            "kind": "svarsstatus",
            "format": "csv",
        },
    )
    assert response.status_code == 404
    assert ExportJob.objects.count() == 1


def test_the_export_pages_require_login(client: Client, done_job: ExportJob) -> None:
    for url in (
        LIST_URL,
        reverse("reports:export-status", args=[done_job.pk]),
        reverse("reports:export-download", args=[done_job.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("surveys:login"))


def test_the_navigation_links_the_exports_for_staff_only(
    client: Client, staff_user: User, region_user: User
) -> None:
    client.force_login(staff_user)
    assert LIST_URL in client.get(reverse("surveys:home")).content.decode()
    client.force_login(region_user)
    assert LIST_URL not in client.get(reverse("surveys:home")).content.decode()


def make_jobs(user: User, questionnaire: Questionnaire, count: int) -> None:
    ExportJob.objects.bulk_create(
        ExportJob(
            requested_by=user,
            cycle_id=questionnaire.cycle_id,
            questionnaire=questionnaire,
            kind="svarsstatus",
            format="csv",
            status=ExportStatus.RUNNING,
            progress=40,
            progress_message="Läser ramen och svaren",
        )
        for _ in range(count)
    )


@pytest.mark.parametrize("count", [1, 30])
def test_the_list_makes_a_fixed_number_of_queries(
    client: Client,
    staff_user: User,
    status_questionnaire: Questionnaire,
    count: int,
    django_assert_num_queries: Any,
) -> None:
    make_jobs(staff_user, status_questionnaire, count)
    client.force_login(staff_user)
    # Session, user, the staff's verified second-factor device, the form's
    # questionnaires, the jobs.
    with django_assert_num_queries(5):
        response = client.get(LIST_URL)
    page = response.content.decode()
    assert page.count("<progress") == count
    assert "Förlopp 40 %: Läser ramen och svaren" in page
