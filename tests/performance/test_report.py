"""The self-evaluation report (.docx): figures equal to the evaluation JSON, edited texts kept, the year reports,
rights, and the export_report command writing the same document."""

import io
from datetime import date
from decimal import Decimal as D

import docx
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from budgets.models import Access
from performance.models import ActualResult, Evaluation
from performance.rectification.models import RectificationItem
from performance.report.document import amount, percent
from performance.report.models import ReportText
from performance.results.models import ResultOpinion
from performance.results.services import record_opinion
from tests.factories import make_goal, make_indicator, make_project, make_unit, make_user_with_access

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    unit = make_unit(name="报告单位")
    project = make_project(
        unit=unit,
        name="科普经费",
        code="P001",
        initial_fiscal=D("80"),
        full_year_fiscal=D("81"),
        executed_fiscal=D("70.5"),
        full_year_carryover=D("4.1234"),
        executed_carryover=D("4"),
    )
    make_goal(project=project, text="全年开展科普活动20次")
    Evaluation.objects.create(project=project, goal_actual="开展科普活动16次")
    met = make_indicator(project=project, name="学术活动场次", target="≥12次")
    missed = make_indicator(project=project, name="科普活动次数", target="≥20次")
    feeling = make_indicator(
        project=project, level1="满意度指标", level2="服务对象满意度指标", name="满意度", target="≥90%"
    )
    ActualResult.objects.create(indicator=met, actual="12次")
    ActualResult.objects.create(indicator=missed, actual="16次", deviation_reason="四场活动因场地原因取消")
    ActualResult.objects.create(indicator=feeling, actual="95%")
    RectificationItem.objects.create(
        unit=unit, project=project, year=2021, problem="活动次数未达标", measures="增加场次", due_date=date(2022, 6, 30)
    )
    sibling = make_project(unit=unit, name="科技馆运行", full_year_total=D("50"), executed_total=D("50"))
    neighbour = make_project(unit=make_unit(department=unit.department, name="邻单位"), name="邻单位项目")
    finance = make_user_with_access(role=Access.Role.FINANCE)
    record_opinion(project=project, opinion="下年压减10%", decided=D("76"), by=finance)
    return {
        "unit": unit,
        "project": project,
        "sibling": sibling,
        "neighbour": neighbour,
        "staff": make_user_with_access(unit=unit),
        "finance": finance,
        "outsider": make_user_with_access(unit=make_unit()),
    }


def read(content: bytes):
    document = docx.Document(io.BytesIO(content))
    paragraphs = [p.text for p in document.paragraphs if p.text.strip()]
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    return paragraphs, tables


def download(client, url) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    return b"".join(response.streaming_content)


def table_with(tables, header):
    return next(table for table in tables if table[0][0] == header)


def test_the_reports_figures_equal_the_evaluation_json_of_the_same_project(client, world):
    project = world["project"]
    client.force_login(world["staff"])
    data = client.get(reverse("api:project-evaluation", args=[project.pk])).json()
    paragraphs, tables = read(download(client, reverse("performance:report-project-download", args=[project.pk])))

    funds = table_with(tables, "项目资金（万元）")
    budget = data["budget"]
    assert funds[1][1:] == [
        amount(budget["initial"]),
        amount(budget["full_year"]),
        amount(budget["executed"]),
        percent(budget["rate"]),
    ]
    assert funds[1][2:4] == ["85.12", "74.50"]  # 81 + 4.1234; 70.5 + 4
    carryover = budget["sources"]["carryover"]
    assert funds[3][1:4] == [
        amount(carryover["initial"]),
        amount(carryover["full_year"]),
        amount(carryover["executed"]),
    ]

    indicators = table_with(tables, "一级指标")
    assert indicators[1][4:7] == [percent(budget["rate"]), budget["weight"], budget["score"]]
    rows = indicators[2:-1]
    assert len(rows) == len(data["indicators"]) == 3
    for row, expected in zip(rows, data["indicators"], strict=True):
        assert row == [
            expected["level1"],
            expected["level2"],
            expected["level3"],
            expected["target"],
            expected["actual"],
            expected["weight"],
            expected["score"],
            expected["deviation_reason"],
        ]
    assert indicators[-1][6] == data["total"] and indicators[-1][7] == f"等级：{data['grade']}"
    assert table_with(tables, "年度总体目标（预期目标）")[1] == [data["goal"], data["goal_actual"]]
    conclusion = next(p for p in paragraphs if p.startswith("自评总分"))
    assert f"自评总分 {data['total']} 分，等级为“{data['grade']}”" in conclusion

    titles = [p for p in paragraphs if p[:2] in ("一、", "二、", "三、", "四、", "五、")]
    assert titles == [
        "一、基本情况",
        "二、绩效目标及完成情况",
        "三、存在的问题及原因分析",
        "四、整改措施及结果应用",
        "五、其他需要说明的情况",
    ]
    assert table_with(tables, "责任单位")[1][2:4] == ["活动次数未达标", "增加场次"]
    opinions = next(table for table in tables if table[0][-1] == "结果应用意见")
    assert opinions[1] == [
        "科普经费",
        data["grade"],
        ResultOpinion.objects.get().rule,
        "85.12",
        "76.00",
        "下年压减10%",
    ]
    assert any("科普活动次数：四场活动因场地原因取消" in p for p in paragraphs)  # problems drafted from the data


def test_edited_texts_are_kept_and_the_figures_still_follow_the_data(client, world):
    project = world["project"]
    client.force_login(world["staff"])
    url = reverse("performance:report-project", args=[project.pk])
    texts = {
        "overview": "本项目面向全市中小学生。",
        "conclusion": "基本完成。",
        "problems": "场地不足。",
        "measures": "提前预订场地。",
        "other": "无其他情况。",
    }
    assert client.post(url, texts).status_code == 302
    assert "本项目面向全市中小学生。" in client.get(url).content.decode()
    ActualResult.objects.filter(indicator__name="科普活动次数").update(actual="20次")
    project.evaluation.save()  # the update sent no signal: rescore as a save would
    data = client.get(reverse("api:project-evaluation", args=[project.pk])).json()
    paragraphs, tables = read(download(client, reverse("performance:report-project-download", args=[project.pk])))
    assert all(text in paragraphs for text in texts.values())
    indicators = table_with(tables, "一级指标")
    assert indicators[3][4] == "20次" and indicators[-1][6] == data["total"]
    assert ReportText.objects.get(project=project).history.count() == 1


def test_save_and_download_keeps_the_texts_then_downloads(client, world):
    client.force_login(world["staff"])
    url = reverse("performance:report-project", args=[world["project"].pk])
    response = client.post(url, {"overview": "新的概况", "download": "1"})
    assert response.status_code == 302 and response["Location"].endswith("download.docx")
    assert ReportText.objects.get(project=world["project"]).sections["overview"] == "新的概况"


def test_too_long_a_text_is_refused_and_nothing_is_stored(client, world):
    client.force_login(world["staff"])
    url = reverse("performance:report-project", args=[world["project"].pk])
    response = client.post(url, {"overview": "长" * 5001})
    assert response.status_code == 200 and not ReportText.objects.exists()


def test_a_reader_who_may_not_edit_sees_the_texts_but_cannot_save_them(client, world):
    reviewer_elsewhere = make_user_with_access(role=Access.Role.STAFF, unit=world["neighbour"].unit)
    client.force_login(reviewer_elsewhere)
    assert client.get(reverse("performance:report-project", args=[world["project"].pk])).status_code == 404
    client.force_login(world["outsider"])
    assert (
        client.post(reverse("performance:report-project", args=[world["project"].pk]), {"other": "x"}).status_code
        == 404
    )
    assert not ReportText.objects.exists()


def test_the_department_year_report_holds_the_projects_the_reader_sees(client, world):
    department = world["unit"].department
    url = reverse("performance:report-year-download", args=[department.code, 2021])
    client.force_login(world["finance"])
    paragraphs, tables = read(download(client, url))
    summary = table_with(tables, "单位")
    assert {row[1] for row in summary[1:-1]} == {"科普经费", "科技馆运行", "邻单位项目"}
    headings = {p for p in paragraphs if p.startswith("（") and p[2] == "）"}
    assert {"（一）科普经费", "（二）科技馆运行", "（三）邻单位项目"} <= headings
    client.force_login(world["staff"])
    paragraphs, tables = read(download(client, url))
    assert {row[1] for row in table_with(tables, "单位")[1:-1]} == {"科普经费", "科技馆运行"}
    assert summary[-1][2] == "135.12"  # 85.1234 + 50, the department's total for finance


def test_the_unit_year_report_page_saves_its_own_texts(client, world):
    client.force_login(world["staff"])
    url = reverse("performance:report-year", args=[world["unit"].code, 2021])
    assert client.post(url, {"overview": "单位年度概况"}).status_code == 302
    assert ReportText.objects.get(unit=world["unit"], year=2021).sections["overview"] == "单位年度概况"


def test_export_report_writes_the_same_document_as_the_download(client, world, tmp_path):
    project = world["project"]
    client.force_login(world["finance"])
    client.post(reverse("performance:report-project", args=[project.pk]), {"other": "命令行与页面一致"})
    output = tmp_path / "report.docx"
    call_command(
        "export_report", "--year", "2021", "--unit", world["unit"].code, "--project", "科普经费", "-o", str(output)
    )
    downloaded = download(client, reverse("performance:report-project-download", args=[project.pk]))
    assert read(output.read_bytes()) == read(downloaded)
    assert "命令行与页面一致" in read(output.read_bytes())[0]
    whole = tmp_path / "unit.docx"
    call_command("export_report", "--year", "2021", "--unit", world["unit"].code, "-o", str(whole))
    assert {row[1] for row in table_with(read(whole.read_bytes())[1], "单位")[1:-1]} == {"科普经费", "科技馆运行"}


def test_export_report_refuses_an_unknown_unit_or_project_and_writes_nothing(world, tmp_path):
    output = tmp_path / "none.docx"
    with pytest.raises(CommandError, match="没有编码为"):
        call_command("export_report", "--year", "2021", "--unit", "000", "-o", str(output))
    with pytest.raises(CommandError, match="没有名为"):
        call_command(
            "export_report", "--year", "2021", "--unit", world["unit"].code, "--project", "无此项目", "-o", str(output)
        )
    assert not output.exists()
