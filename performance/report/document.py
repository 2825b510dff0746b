"""The report as a .docx (python-docx), in the structure of a published 项目支出绩效自评报告:

一、基本情况 (facts; funds) · 二、绩效目标及完成情况 (goal and its completion; each indicator with target, actual,
weight, score and deviation reason; the conclusion) · 三、存在的问题及原因分析 · 四、整改措施及结果应用
(rectification items; results application) · 五、其他需要说明的情况.

Every figure is printed from the evaluation JSON (amounts and scores with 2 places, rates as percentages); the
free-text sections are the user's (or the drafts).
"""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import docx
from django.utils.translation import gettext as _
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from budgets.templatetags.money import format_money

from ..sheets.layout import in_official_language
from .content import Report

BODY_FONT = "仿宋"
HEADING_FONT = "黑体"
TITLE_FONT = "宋体"
NUMBERS = "一二三四五六七八九十"
FUND_LABELS = [("fiscal", "其中：财政拨款"), ("carryover", "上年结转资金"), ("other", "其他资金")]
INDICATOR_HEADERS = [
    "一级指标",
    "二级指标",
    "三级指标",
    "年度指标值",
    "实际完成值",
    "分值",
    "得分",
    "偏差原因分析及改进措施",
]


def percent(rate: str | None) -> str:
    """ "0.8620" → "86.20%"; None → "—"."""
    return "—" if rate is None else f"{(Decimal(rate) * 100).quantize(Decimal('0.01'))}%"


def amount(value: str | None) -> str:
    return format_money(value, "—")


def _font(run, name: str, size: float, *, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = RGBColor(0, 0, 0)
    properties = run._element.get_or_add_rPr()
    fonts = properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = properties.makeelement(qn("w:rFonts"), {})
        properties.append(fonts)
    fonts.set(qn("w:eastAsia"), name)


class Writer:
    def __init__(self):
        self.doc = docx.Document()
        section = self.doc.sections[0]
        section.page_height, section.page_width = Cm(29.7), Cm(21.0)
        section.left_margin = section.right_margin = Cm(2.6)
        section.top_margin, section.bottom_margin = Cm(3.0), Cm(2.6)
        normal = self.doc.styles["Normal"]
        normal.font.name, normal.font.size = BODY_FONT, Pt(12)
        normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)

    def title(self, text: str, *, size: float = 20) -> None:
        paragraph = self.doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(paragraph.add_run(text), TITLE_FONT, size, bold=True)

    def heading(self, text: str, level: int) -> None:
        paragraph = self.doc.add_heading(level=level)
        paragraph.paragraph_format.space_before = Pt(10 if level == 1 else 6)
        _font(paragraph.add_run(text), HEADING_FONT if level == 1 else BODY_FONT, 15 if level == 1 else 13, bold=True)

    def text(self, text: str) -> None:
        for line in (text or "").splitlines() or [""]:
            if not line.strip():
                continue
            paragraph = self.doc.add_paragraph()
            paragraph.paragraph_format.first_line_indent = Pt(24)
            paragraph.paragraph_format.line_spacing = 1.4
            _font(paragraph.add_run(line.strip()), BODY_FONT, 12)

    def table(
        self, headers: list[str], rows: list[list[str]], *, widths: list[float] | None = None, numeric: range = range(0)
    ) -> None:
        """A bordered table, its header bold and centred; the ``numeric`` columns right-aligned."""
        table = self.doc.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, header in zip(table.rows[0].cells, headers, strict=True):
            cell.text = ""
            _font(cell.paragraphs[0].add_run(header), BODY_FONT, 10.5, bold=True)
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        for values in rows:
            cells = table.add_row().cells
            for index, (cell, value) in enumerate(zip(cells, values, strict=True)):
                cell.text = ""
                _font(cell.paragraphs[0].add_run(str(value)), BODY_FONT, 10.5)
                if index in numeric:
                    cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if widths:  # fixed widths (LibreOffice and Word both keep them), set on the grid and on every cell
            table.autofit = False
            for column, width in zip(table.columns, widths, strict=True):
                column.width = Cm(width)
            for row in table.rows:
                for cell, width in zip(row.cells, widths, strict=True):
                    cell.width = Cm(width)
        self.doc.add_paragraph()

    def bytes(self) -> bytes:
        buffer = BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()


def _funds(writer: Writer, document: dict) -> None:
    budget = document["budget"]
    rows = [
        [
            _("年度资金总额"),
            amount(budget["initial"]),
            amount(budget["full_year"]),
            amount(budget["executed"]),
            percent(budget["rate"]),
        ]
    ]
    for source, label in FUND_LABELS:
        stages = budget["sources"][source]
        rows.append([_(label), amount(stages["initial"]), amount(stages["full_year"]), amount(stages["executed"]), "—"])
    writer.table(
        [_("项目资金（万元）"), _("年初预算数"), _("全年预算数"), _("全年执行数"), _("执行率")],
        rows,
        widths=[4.4, 2.9, 2.9, 2.9, 2.7],
        numeric=range(1, 5),
    )


def _indicators(writer: Writer, document: dict) -> None:
    budget = document["budget"]
    rows = [
        [
            _("预算执行率"),
            "—",
            "—",
            "100%",
            percent(budget["rate"]),
            budget["weight"] or "—",
            budget["score"] or "—",
            budget["deviation_reason"],
        ]
    ]
    for row in document["indicators"]:
        rows.append(
            [
                row["level1"],
                row["level2"],
                row["level3"],
                row["target"],
                row["actual"] or "—",
                row["weight"] or "—",
                row["score"] or "—",
                row["deviation_reason"],
            ]
        )
    rows.append(
        [
            _("总分"),
            "",
            "",
            "",
            "",
            "100",
            document["total"] or "—",
            _("等级：%(grade)s") % {"grade": document["grade"] or "—"},
        ]
    )
    writer.table(
        [_(h) for h in INDICATOR_HEADERS], rows, widths=[1.7, 1.8, 2.2, 1.8, 1.8, 1.6, 1.6, 3.3], numeric=range(5, 7)
    )


def _goal(writer: Writer, document: dict) -> None:
    writer.table(
        [_("年度总体目标（预期目标）"), _("实际完成情况")],
        [[document["goal"] or "—", document["goal_actual"] or "—"]],
        widths=[7.9, 7.9],
    )


def _score_sentence(document: dict) -> str:
    budget = document["budget"]
    return _(
        "自评总分 %(total)s 分，等级为“%(grade)s”；全年预算数 %(full_year)s 万元，全年执行数 %(executed)s 万元，"
        "预算执行率 %(rate)s，执行率得分 %(budget_score)s 分（分值 %(weight)s 分）。"
    ) % {
        "total": document["total"] or "—",
        "grade": document["grade"] or _("未评价"),
        "full_year": amount(budget["full_year"]),
        "executed": amount(budget["executed"]),
        "rate": percent(budget["rate"]),
        "budget_score": budget["score"] or "—",
        "weight": budget["weight"] or "—",
    }


def _basic(writer: Writer, report: Report) -> None:
    writer.heading(_("一、基本情况"), 1)
    if report.single:
        document = report.documents[0]
        writer.heading(_("（一）项目概况"), 2)
        writer.table(
            [_("项目名称"), _("项目编码"), _("实施单位"), _("年度"), _("自评状态")],
            [
                [
                    document["project_name"],
                    document["project_code"] or "—",
                    f"{document['unit_code']} {document['unit_name']}",
                    str(document["year"]),
                    _status(document),
                ]
            ],
            widths=[4.4, 2.6, 4.8, 1.6, 2.4],
        )
        writer.text(report.texts["overview"])
        writer.heading(_("（二）项目资金投入和使用情况"), 2)
        _funds(writer, document)
        return
    writer.heading(_("（一）总体情况"), 2)
    writer.text(report.texts["overview"])
    writer.heading(_("（二）项目资金投入和使用情况"), 2)
    rows = [
        [
            d["unit_name"],
            d["project_name"],
            amount(d["budget"]["full_year"]),
            amount(d["budget"]["executed"]),
            percent(d["budget"]["rate"]),
            d["total"] or "—",
            d["grade"] or "—",
        ]
        for d in report.documents
    ]
    full = sum((Decimal(d["budget"]["full_year"]) for d in report.documents if d["budget"]["full_year"]), Decimal(0))
    spent = sum((Decimal(d["budget"]["executed"]) for d in report.documents if d["budget"]["executed"]), Decimal(0))
    rows.append(
        [
            _("合计"),
            _("%(n)s个项目") % {"n": len(report.documents)},
            amount(full),
            amount(spent),
            percent(str(spent / full)) if full else "—",
            "",
            "",
        ]
    )
    writer.table(
        [_("单位"), _("项目名称"), _("全年预算数（万元）"), _("全年执行数（万元）"), _("执行率"), _("总分"), _("等级")],
        rows,
        widths=[3.0, 3.6, 2.2, 2.2, 1.8, 1.6, 1.4],
        numeric=range(2, 6),
    )


def _status(document: dict) -> str:
    from ..models import Evaluation

    return str(dict(Evaluation.Status.choices).get(document["status"], document["status"]))


def _goals(writer: Writer, report: Report) -> None:
    writer.heading(_("二、绩效目标及完成情况"), 1)
    if report.single:
        document = report.documents[0]
        writer.heading(_("（一）年度总体目标完成情况"), 2)
        _goal(writer, document)
        writer.heading(_("（二）绩效指标完成情况"), 2)
        _indicators(writer, document)
        writer.heading(_("（三）自评结论"), 2)
        writer.text(_score_sentence(document))
        writer.text(report.texts["conclusion"])
        return
    for n, document in enumerate(report.documents):
        number = NUMBERS[n] if n < len(NUMBERS) else str(n + 1)
        writer.heading(f"（{number}）{document['project_name']}", 2)
        _goal(writer, document)
        _indicators(writer, document)
        writer.text(_score_sentence(document))
    writer.heading(_("自评结论"), 2)
    writer.text(report.texts["conclusion"])


def _results(writer: Writer, report: Report) -> None:
    writer.heading(_("四、整改措施及结果应用"), 1)
    writer.heading(_("（一）整改事项"), 2)
    if report.items:
        writer.table(
            [_("责任单位"), _("项目"), _("存在问题"), _("整改要求"), _("整改期限"), _("整改状态")],
            [
                [
                    item.unit.name,
                    item.project.name if item.project else "—",
                    item.problem,
                    item.measures,
                    item.due_date.strftime("%Y-%m-%d"),
                    str(item.get_status_display()),
                ]
                for item in report.items
            ],
            widths=[2.6, 2.6, 3.8, 3.8, 1.8, 1.4],
        )
    else:
        writer.text(_("无整改事项。"))
    writer.heading(_("（二）结果应用"), 2)
    rows = []
    for document in report.documents:
        opinion = report.opinions.get(document["id"])
        if opinion is not None:
            rows.append(
                [
                    document["project_name"],
                    opinion.grade or "—",
                    opinion.rule or "—",
                    amount(opinion.suggested),
                    amount(opinion.decided),
                    opinion.opinion,
                ]
            )
    if rows:
        writer.table(
            [
                _("项目名称"),
                _("等级"),
                _("适用规则"),
                _("建议下年预算数（万元）"),
                _("确定下年预算数（万元）"),
                _("结果应用意见"),
            ],
            rows,
            widths=[3.2, 1.2, 2.4, 2.4, 2.4, 4.2],
            numeric=range(3, 5),
        )
    else:
        writer.text(_("财政部门尚未提出结果应用意见。"))
    writer.heading(_("（三）改进措施"), 2)
    writer.text(report.texts["measures"])


@in_official_language
def report_docx(report: Report) -> bytes:
    """The report of ``report`` as .docx bytes."""
    writer = Writer()
    scope = report.scope
    writer.title(_("%(year)s年度项目支出绩效自评报告") % {"year": scope.year})
    writer.title(
        scope.name
        if report.single
        else _("%(name)s（%(n)s个项目）") % {"name": scope.name, "n": len(report.documents)},
        size=14,
    )
    if report.single:
        writer.title(scope.unit_name, size=12)
    _basic(writer, report)
    _goals(writer, report)
    writer.heading(_("三、存在的问题及原因分析"), 1)
    writer.text(report.texts["problems"])
    _results(writer, report)
    writer.heading(_("五、其他需要说明的情况"), 1)
    writer.text(report.texts["other"])
    return writer.bytes()
