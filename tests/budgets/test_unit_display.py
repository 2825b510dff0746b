"""A unit is shown one way everywhere: code, a space, its name (``731001 张家口市科协本级``).

The standard 绩效目标表 keeps the seed's glued cell (SPEC section 14); every page, list, select and the admin
show the spaced form.
"""

import re

import pytest
from django.urls import reverse

from budgets.models import Project, Unit
from performance.demo import DEMO_PASSWORD, load_demo
from tests.factories import make_unit

pytestmark = pytest.mark.django_db

SHOWN = "731001 张家口市科协本级"
GLUED = re.compile(r"7310\d\d(?=[\u4e00-\u9fff])")


def test_a_unit_reads_as_its_code_a_space_and_its_short_name_or_its_name():
    assert str(make_unit(code="990001", name="测试科学技术协会", short_name="测试科协本级")) == "990001 测试科协本级"
    assert str(make_unit(code="990002", name="测试科技馆")) == "990002 测试科技馆"
    assert str(make_unit(code=None, name="没有编码的学院")) == "没有编码的学院"


@pytest.fixture
def kexie(client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_demo()
    assert client.login(username="kexie", password=DEMO_PASSWORD)
    return client


def visible_text(response) -> str:
    assert response.status_code == 200, response.request["PATH_INFO"]
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_every_page_that_shows_a_unit_shows_it_spaced_never_glued(kexie):
    project = Project.objects.get(name="科普经费")
    assert str(project.unit) == SHOWN
    pages = [
        reverse("performance:project-list"),
        reverse("performance:project-detail", args=[project.pk]),
        reverse("performance:evaluation-edit", args=[project.pk]),
        reverse("performance:dashboard") + "?year=2021",
        reverse("budgets:department-detail", args=["731", 2021]),
        reverse("performance:review-report") + "?year=2021&department=731",
    ]
    for url in pages:
        text = visible_text(kexie.get(url))
        assert SHOWN in text, url
        assert not GLUED.search(text), (url, GLUED.findall(text))


def test_the_project_lists_unit_filter_offers_units_spaced(kexie):
    html = kexie.get(reverse("performance:project-list")).content.decode()
    unit = Unit.objects.get(code="731001")
    assert f'<option value="{unit.pk}">{SHOWN}</option>' in html


def test_searching_the_short_name_a_unit_is_shown_by_finds_its_projects(kexie):
    response = kexie.get(reverse("performance:project-list"), {"q": "科协本级"})
    names = {row.record.name for row in response.context["table"].page.object_list}
    assert "科普经费" in names
    assert all(str(row.record.unit) == SHOWN for row in response.context["table"].page.object_list)
