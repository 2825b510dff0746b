"""Primary buttons look the same on every form: one include (templates/_primary_button.html), one class."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from budgets.models import Project
from performance.demo import DEMO_PASSWORD, load_demo

TEMPLATES = Path(settings.BASE_DIR) / "templates"
INCLUDE = "_primary_button.html"
FILLED_BUTTON = re.compile(r"<button\b[^>]*\bclass=\"[^\"]*\bbtn-(?:primary|success)\b[^\"]*\"[^>]*>")
PRIMARY = re.compile(r"<button\b[^>]*\bjx-primary\b[^>]*>")


def test_no_template_draws_a_filled_submit_button_of_its_own():
    drawn = [
        f"{path.relative_to(TEMPLATES)}: {match.group()}"
        for path in TEMPLATES.rglob("*.html")
        if path.name != INCLUDE
        for match in FILLED_BUTTON.finditer(path.read_text(encoding="utf-8"))
    ]
    assert drawn == []


@pytest.fixture
def kexie(client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_demo()
    assert client.login(username="kexie", password=DEMO_PASSWORD)
    return client


@pytest.mark.django_db
def test_every_forms_primary_button_has_the_one_look_and_each_form_has_one_at_most(kexie, client):
    project = Project.objects.get(name="科普经费")
    pages = [
        reverse("performance:evaluation-edit", args=[project.pk]),
        reverse("performance:project-detail", args=[project.pk]),
        reverse("performance:project-list"),
        reverse("performance:dashboard"),
        reverse("performance:job-list"),
        reverse("performance:workbook-upload"),
        reverse("performance:sheet-upload"),
    ]
    looks = set()
    for url in pages:
        html = kexie.get(url).content.decode()
        buttons = PRIMARY.findall(html)
        assert buttons, url
        looks |= {re.search(r'class="([^"]*)"', button).group(1).replace(" btn-sm", "") for button in buttons}
        for form in re.findall(r"<form\b.*?</form>", html, flags=re.S):
            assert len(PRIMARY.findall(form)) <= 1, (url, form[:200])
    client.logout()
    login = client.get(reverse("login")).content.decode()
    looks |= {re.search(r'class="([^"]*)"', b).group(1).replace(" w-100", "") for b in PRIMARY.findall(login)}
    assert looks == {"btn btn-primary jx-primary"}
