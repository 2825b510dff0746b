"""The JSON API of SPEC section 12: logged-in users, only the units they may see."""

from pathlib import Path

import pytest
from django.urls import reverse

from budgets.models import Access, Project, Unit
from performance.interchange.importer import import_workbook
from tests.factories import PASSWORD, make_department, make_project, make_unit, make_user_with_access

SAMPLE = Path(__file__).parent / "data" / "seed-2021-731001-sample-actuals.xlsx"

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample():
    """The sample's four projects of unit 731001, plus one project of 731005 in the same department."""
    import_workbook(file=SAMPLE)
    own = Unit.objects.get(code="731001")
    other = make_unit(department=own.department, code="731005", name="张家口市科技馆")
    make_project(unit=other, year=2021, name="科技馆免费开放")
    return own, other


def logged_in(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_an_anonymous_call_is_answered_401_with_json_not_sent_to_the_login_page(client):
    response = client.get(reverse("api:project-list"), {"year": 2021})

    assert response.status_code == 401
    assert response.json() == {"error": "请先登录"}


def test_the_project_pages_json_link_downloads_a_file_named_for_the_project(client, sample):
    own, _other = sample
    project = Project.objects.filter(unit=own).order_by("order").first()
    client.force_login(make_user_with_access(role=Access.Role.STAFF, unit=own))
    page = client.get(reverse("performance:project-detail", args=[project.pk])).content.decode()
    link = reverse("api:project-evaluation", args=[project.pk]) + "?download=1"
    assert f'href="{link}"' in page
    response = client.get(link)
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    assert response.json()["project_name"] == project.name


def test_staff_see_only_their_own_units_projects(client, sample):
    own, _other = sample
    staff = make_user_with_access(role=Access.Role.STAFF, unit=own)

    response = logged_in(client, staff).get(reverse("api:project-list"), {"year": 2021})

    assert response.status_code == 200
    projects = response.json()["projects"]
    assert sorted(p["project_name"] for p in projects) == sorted(
        Project.objects.filter(unit=own).values_list("name", flat=True)
    )
    assert {p["unit_code"] for p in projects} == {"731001"}
    assert all(p["id"] == Project.objects.get(name=p["project_name"]).pk for p in projects)


def test_staff_of_another_unit_see_nothing_and_get_404(client, sample):
    _own, other = sample
    outsider = make_user_with_access(role=Access.Role.STAFF, unit=other)
    science = Project.objects.get(name="科普经费")
    client = logged_in(client, outsider)

    listing = client.get(reverse("api:project-list"), {"year": 2021, "unit": "731001"})
    detail = client.get(reverse("api:project-evaluation", args=[science.pk]))

    assert listing.status_code == 200
    assert listing.json() == {"projects": []}
    assert detail.status_code == 404


def test_a_user_without_access_sees_nothing(client, sample):
    nobody = make_user_with_access(role=Access.Role.STAFF, unit=make_unit(department=make_department()))

    response = logged_in(client, nobody).get(reverse("api:project-list"), {"year": 2021})

    assert response.json() == {"projects": []}


def test_a_reviewer_sees_every_unit_of_the_department(client, sample):
    own, _other = sample
    reviewer = make_user_with_access(role=Access.Role.REVIEWER, department=own.department)

    response = logged_in(client, reviewer).get(reverse("api:project-list"), {"year": 2021})

    assert sorted({p["unit_code"] for p in response.json()["projects"]}) == ["731001", "731005"]
    assert len(response.json()["projects"]) == 5


def test_the_unit_filter_narrows_the_list(client, sample):
    own, _other = sample
    reviewer = make_user_with_access(role=Access.Role.REVIEWER, department=own.department)

    response = logged_in(client, reviewer).get(reverse("api:project-list"), {"year": 2021, "unit": "731005"})

    assert [p["project_name"] for p in response.json()["projects"]] == ["科技馆免费开放"]


def test_project_evaluation_is_one_project_with_its_id(client, sample):
    own, _other = sample
    staff = make_user_with_access(role=Access.Role.STAFF, unit=own)
    science = Project.objects.get(name="科普经费")

    response = logged_in(client, staff).get(reverse("api:project-evaluation", args=[science.pk]))

    assert response.status_code == 200
    document = response.json()
    assert document["id"] == science.pk
    assert (document["project_name"], document["total"], document["grade"]) == ("科普经费", "96.95", "优")
    assert document["budget"]["rate"] == "0.9704"
    assert [row["weight"] for row in document["indicators"]] == ["12.50", "12.50", "12.50", "12.50", "30.00", "10.00"]


def test_an_unknown_project_is_404(client, sample):
    own, _other = sample
    staff = make_user_with_access(role=Access.Role.STAFF, unit=own)

    response = logged_in(client, staff).get(reverse("api:project-evaluation", args=[999999]))

    assert response.status_code == 404


def test_the_list_needs_a_year(client, sample):
    own, _other = sample
    staff = make_user_with_access(role=Access.Role.STAFF, unit=own)

    response = logged_in(client, staff).get(reverse("api:project-list"))

    assert response.status_code == 400
    assert "year" in response.json()["error"]


def test_the_api_is_read_only(client, sample):
    own, _other = sample
    staff = make_user_with_access(role=Access.Role.STAFF, unit=own)

    response = logged_in(client, staff).post(reverse("api:project-list") + "?year=2021")

    assert response.status_code == 405
