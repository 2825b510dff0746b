from base64 import b64decode
from io import BytesIO

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from performance.models import ActualResult
from tests.factories import log_in_as as login
from tests.factories import make_project, make_user_with_access

pytestmark = pytest.mark.django_db


def workbook_of(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load_workbook(BytesIO(b"".join(response.streaming_content)))


def test_staff_downloads_their_project_sheet(client, kepu):
    login(client, "kexie")
    response = client.get(reverse("performance:sheet-project", args=[kepu.pk]))
    assert "attachment" in response["Content-Disposition"]
    wb = workbook_of(response)
    assert wb.sheetnames == ["科普经费", "_jixiao"]
    assert wb["科普经费"]["H19"].value == 93.58


def test_staff_of_another_unit_gets_404_for_the_project_sheet(client, kepu):
    login(client, "kejiguan")  # staff of 731005
    assert client.get(reverse("performance:sheet-project", args=[kepu.pk])).status_code == 404
    url = reverse("performance:sheet-workbook") + "?year=2021&unit=731001"
    assert client.get(url).status_code == 404
    url = reverse("performance:targets-sheet") + f"?project={kepu.pk}"
    assert client.get(url).status_code == 404


def test_anonymous_user_is_sent_to_login(client, kepu):
    response = client.get(reverse("performance:sheet-project", args=[kepu.pk]))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_department_workbook_lists_only_the_projects_the_user_may_see(client, kepu):
    login(client, "kejiguan")
    response = client.get(reverse("performance:sheet-workbook") + "?year=2021&department=731")
    wb = workbook_of(response)
    assert wb.sheetnames == ["汇总", "常设科普展览经费", "科普大篷车经费", "_jixiao"]
    assert wb["汇总"]["A1"].value == "2021年度张家口市科学技术协会项目支出绩效自评汇总表"


def test_reviewer_downloads_the_whole_department(client, kepu):
    login(client, "shenhe")
    wb = workbook_of(client.get(reverse("performance:sheet-workbook") + "?year=2021&department=731"))
    assert len(wb.sheetnames) == 8


def test_workbook_for_a_year_without_projects_or_a_bad_year_is_404(client, kepu):
    login(client, "shenhe")
    assert client.get(reverse("performance:sheet-workbook") + "?year=1999").status_code == 404
    assert client.get(reverse("performance:sheet-workbook") + "?year=abc").status_code == 404


def test_targets_sheet_of_a_unit(client, kepu):
    login(client, "kexie")
    wb = workbook_of(client.get(reverse("performance:targets-sheet") + "?year=2021&unit=731001"))
    assert len(wb.sheetnames) == 4
    assert wb["科普经费"]["A1"].value == "科普经费绩效目标表"


def test_targets_sheet_of_another_units_project_is_404(client, kepu):
    other = make_project()
    login(client, "kexie")
    assert client.get(reverse("performance:targets-sheet") + f"?project={other.pk}").status_code == 404


def upload(client, data: bytes):
    file = SimpleUploadedFile("自评表.xlsx", data, content_type="application/octet-stream")
    return client.post(reverse("performance:sheet-upload"), {"file": file})


def filled(client, kepu, **cells) -> bytes:
    response = client.get(reverse("performance:sheet-project", args=[kepu.pk]))
    wb = load_workbook(BytesIO(b"".join(response.streaming_content)))
    for address, value in cells.items():
        wb["科普经费"][address] = value
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_upload_page_saves_the_filled_sheet_and_shows_the_new_score(client, kepu):
    login(client, "kexie")
    response = upload(client, filled(client, kepu, F14="20次"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "已保存 1 个项目的自评" in page
    assert "94.83" in page
    assert ActualResult.objects.get(indicator__project=kepu, indicator__order=2).actual == "20次"


def test_upload_page_lists_errors_and_offers_the_marked_workbook(client, kepu):
    login(client, "kexie")
    response = upload(client, filled(client, kepu, F14="很多"))
    page = response.content.decode()
    assert "未保存任何数据" in page
    assert "F14" in page
    assert "不是数值" in page
    href = response.context["marked_href"]
    marked = load_workbook(BytesIO(b64decode(href.split("base64,", 1)[1])))
    assert marked["科普经费"]["F14"].comment is not None
    assert ActualResult.objects.get(indicator__project=kepu, indicator__order=2).actual == "18次"


def test_upload_page_refuses_users_without_a_unit(client, kepu):
    client.force_login(make_user_with_access(role="finance"))
    assert client.get(reverse("performance:sheet-upload")).status_code == 200
    client.force_login(get_user_model().objects.create_user("nobody", password="x-password-1"))
    assert client.get(reverse("performance:sheet-upload")).status_code == 403


def test_the_standard_sheets_stay_chinese_for_a_user_reading_in_english(client, kepu):
    login(client, "shenhe")
    client.cookies["django_language"] = "en"
    assert 'lang="en"' in client.get(reverse("performance:job-list")).content.decode()  # the UI is English
    wb = workbook_of(client.get(reverse("performance:sheet-workbook") + "?year=2021&department=731"))
    assert wb.sheetnames[0] == "汇总"
    assert wb["汇总"]["A1"].value == "2021年度张家口市科学技术协会项目支出绩效自评汇总表"
    sheet = wb[wb.sheetnames[1]]
    texts = {cell for row in sheet.iter_rows(values_only=True) for cell in row if isinstance(cell, str)}
    assert "2021年度项目支出绩效自评表" in texts
    assert {"一级指标", "二级指标", "三级指标"} <= texts
    assert not any("Indicator" in text or "Project" in text for text in texts)
    targets = workbook_of(client.get(reverse("performance:targets-sheet") + "?year=2021&department=731"))
    target_texts = {c for ws in targets for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)}
    assert not any("Indicator" in text or "Target" in text for text in target_texts)
