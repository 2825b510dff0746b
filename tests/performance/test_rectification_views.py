"""The rectification pages: the list and its workbook, an item's page, a new item, the proposals, and the open
items on the home page, the project page and next year's declaration."""

import datetime
import io
from decimal import Decimal as D

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from budgets.models import Access
from performance.rectification.models import DismissedProposal, RectificationItem
from performance.rectification.services import create_item, save_response, submit_item
from tests.factories import make_indicator, make_project, make_unit, make_user_with_access

pytestmark = pytest.mark.django_db
Status = RectificationItem.Status
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def world():
    unit = make_unit(name="科普中心")
    project = make_project(unit=unit, name="科普宣传项目", full_year_total=D("100"), executed_total=D("90"))
    other_unit = make_unit(department=unit.department, name="青少年中心")
    reviewer = make_user_with_access(role=Access.Role.REVIEWER, department=unit.department)
    item = create_item(
        unit=unit,
        project=project,
        year=2021,
        problem="培训次数未完成",
        measures="补足培训",
        due_date=datetime.date(2000, 1, 1),
        by=reviewer,
    )
    other = create_item(
        unit=other_unit,
        project=None,
        year=2021,
        problem="青少年中心的问题",
        measures="整改",
        due_date=datetime.date(2999, 1, 1),
        by=reviewer,
    )
    return {
        "unit": unit,
        "project": project,
        "item": item,
        "other": other,
        "staff": make_user_with_access(unit=unit),
        "reviewer": reviewer,
    }


def test_a_unit_lists_only_its_own_items_and_overdue_ones_are_marked(client, world):
    client.force_login(world["staff"])
    page = client.get(reverse("performance:rectification-list")).content.decode()
    assert "培训次数未完成" in page
    assert "青少年中心的问题" not in page
    assert 'data-testid="overdue"' in page


def test_the_list_filters_by_overdue_and_by_unit(client, world):
    client.force_login(world["reviewer"])
    overdue = client.get(reverse("performance:rectification-list"), {"due": "overdue"}).content.decode()
    assert "培训次数未完成" in overdue and "青少年中心的问题" not in overdue
    by_unit = client.get(reverse("performance:rectification-list"), {"unit": world["other"].unit_id}).content.decode()
    assert "青少年中心的问题" in by_unit and "培训次数未完成" not in by_unit


def test_the_workbook_holds_the_filtered_items_with_dates_as_dates(client, world):
    client.force_login(world["reviewer"])
    response = client.get(reverse("performance:rectification-export"), {"due": "overdue"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [cell.value for cell in sheet[1]]
    assert header[:6] == ["整改期限", "责任单位", "项目", "存在问题", "来源", "整改状态"]
    assert "整改要求" in header and "验收人" in header
    assert sheet.max_row == 2
    assert sheet["A2"].value == datetime.datetime(2000, 1, 1)
    assert sheet["C2"].value == "科普宣传项目"
    assert sheet["F2"].value == "待整改（已逾期）"


def test_a_reviewer_creates_an_item_from_a_project_and_unit_staff_may_not(client, world):
    client.force_login(world["staff"])
    assert client.get(reverse("performance:rectification-create")).status_code == 403
    client.force_login(world["reviewer"])
    url = reverse("performance:rectification-create")
    form = client.get(url, {"project": world["project"].pk})
    assert form.status_code == 200
    data = {
        "unit": world["unit"].pk,
        "project": world["project"].pk,
        "year": 2021,
        "problem": "资金支付滞后",
        "measures": "按进度支付",
        "due_date": "2022-03-31",
    }
    response = client.post(url, data)
    item = RectificationItem.objects.get(problem="资金支付滞后")
    assert response["Location"] == reverse("performance:rectification-detail", args=[item.pk])
    assert item.created_by == world["reviewer"]


def test_a_new_item_with_a_project_of_another_unit_keeps_the_input_and_says_why(client, world):
    client.force_login(world["reviewer"])
    data = {
        "unit": world["other"].unit_id,
        "project": world["project"].pk,
        "year": 2021,
        "problem": "资金支付滞后",
        "measures": "按进度支付",
        "due_date": "2022-03-31",
    }
    page = client.post(reverse("performance:rectification-create"), data).content.decode()
    assert "所选项目不属于所选单位" in page
    assert "资金支付滞后" in page
    assert not RectificationItem.objects.filter(problem="资金支付滞后").exists()


def test_the_unit_saves_its_response_with_a_file_and_submits_it(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world["staff"])
    url = reverse("performance:rectification-respond", args=[world["item"].pk])
    photo = SimpleUploadedFile("现场照片.png", PNG, content_type="image/png")
    client.post(url, {"response": "已补足 12 次培训", "files": [photo], "submit": "1"})
    item = RectificationItem.objects.get(pk=world["item"].pk)
    assert (item.status, item.response) == (Status.SUBMITTED, "已补足 12 次培训")
    page = client.get(reverse("performance:rectification-detail", args=[item.pk])).content.decode()
    assert "现场照片.png" in page
    evidence = item.evidence_files.get()
    download = client.get(reverse("performance:rectification-evidence", args=[evidence.pk]))
    assert b"".join(download.streaming_content) == PNG


def test_a_refused_file_keeps_the_typed_response_on_the_page(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world["staff"])
    url = reverse("performance:rectification-respond", args=[world["item"].pk])
    program = SimpleUploadedFile("说明.pdf", b"MZ" + b"\x00" * 64)
    page = client.post(url, {"response": "已整改完毕", "files": [program]}).content.decode()
    assert "说明.pdf" in page and "已整改完毕" in page
    assert RectificationItem.objects.get(pk=world["item"].pk).status == Status.PENDING


def test_the_reviewer_returns_with_a_reason_then_accepts(client, world):
    item = save_response(item=world["item"], response="已整改", by=world["staff"])
    submit_item(item=item, by=world["staff"])
    client.force_login(world["reviewer"])
    detail = reverse("performance:rectification-detail", args=[item.pk])
    assert 'data-testid="rectification-accept"' in client.get(detail).content.decode()
    client.post(reverse("performance:rectification-return", args=[item.pk]), {"reason": ""})
    assert RectificationItem.objects.get(pk=item.pk).status == Status.SUBMITTED
    client.post(reverse("performance:rectification-accept", args=[item.pk]))
    item.refresh_from_db()
    assert (item.status, item.verified_by) == (Status.DONE, world["reviewer"])


def test_the_suggestions_page_lists_proposals_to_confirm_or_dismiss(client, world):
    indicator = make_indicator(project=world["project"], name="培训次数", target="", weight=D("20"))
    code = world["unit"].department.code
    url = reverse("performance:rectification-suggestions", args=[code, 2021])
    client.force_login(world["staff"])
    assert client.get(url).status_code == 403
    client.force_login(world["reviewer"])
    page = client.get(url).content.decode()
    assert "指标值为空" in page
    refused = client.post(
        reverse("performance:rectification-dismiss", args=[code, 2021]),
        {"prefix": "d0", "d0-key": f"review:{world['project'].pk}:empty-target:{indicator.pk}", "d0-reason": ""},
    )
    assert refused.status_code == 200
    assert "不予整改时必须填写理由" in refused.content.decode()
    assert not DismissedProposal.objects.exists()


def test_confirming_a_proposal_from_the_page_makes_an_item(client, world):
    indicator = make_indicator(project=world["project"], name="培训次数", target="", weight=D("20"))
    code = world["unit"].department.code
    client.force_login(world["reviewer"])
    key = f"review:{world['project'].pk}:empty-target:{indicator.pk}"
    assert key in client.get(reverse("performance:rectification-suggestions", args=[code, 2021])).content.decode()
    client.post(
        reverse("performance:rectification-confirm", args=[code, 2021]),
        {"prefix": "c0", "c0-key": key, "c0-measures": "补填指标值", "c0-due_date": "2022-06-30"},
    )
    item = RectificationItem.objects.get(source_key=key)
    assert (item.measures, item.due_date) == ("补填指标值", datetime.date(2022, 6, 30))
    page = client.get(reverse("performance:rectification-suggestions", args=[code, 2021])).content.decode()
    assert key not in page


def test_open_items_show_on_the_units_home_page_and_the_project_page(client, world):
    client.force_login(world["staff"])
    home = client.get(reverse("budgets:home")).content.decode()
    assert "培训次数未完成" in home and "青少年中心的问题" not in home
    project_page = client.get(reverse("performance:project-detail", args=[world["project"].pk])).content.decode()
    assert "培训次数未完成" in project_page


def test_next_years_declaration_of_the_same_project_shows_last_years_open_items(client, world):
    next_year = make_project(unit=world["unit"], year=2022, name="科普宣传项目")
    client.force_login(world["staff"])
    page = client.get(reverse("performance:declaration-edit", args=[next_year.pk])).content.decode()
    assert "上年度同一项目未完成的整改事项" in page
    assert "培训次数未完成" in page


def test_a_project_with_more_open_items_than_shown_says_how_many_more(client, world):
    for n in range(11):  # 12 open items on the project with the world's: 10 shown
        create_item(
            unit=world["unit"],
            project=world["project"],
            year=2021,
            problem=f"第{n}个问题",
            measures="整改",
            due_date=datetime.date(2999, 1, 1),
            by=world["reviewer"],
        )
    client.force_login(world["staff"])
    page = client.get(reverse("performance:project-detail", args=[world["project"].pk])).content.decode()
    assert page.count('data-testid="rectification-open-item"') == 10
    assert "还有 2 项未完成的整改事项" in page
