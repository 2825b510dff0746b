"""Generate a department's disclosure of a year from the database: the web page and the .docx.

``build_disclosure`` lays the document out once (the seed's nine sections in order, its tables and
its sentences built from the figures); the page template and ``disclosure_docx`` only render it.
The sentences follow the seed's wording closely enough that ``import_disclosure`` reads them back.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal
from io import BytesIO

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from budgets.models import Department, DepartmentBudget, GlossaryTerm, ProcurementLine, Project
from budgets.numbers import plain

from ..models import DepartmentGoal, DepartmentIndicator, DepartmentSubGoal, DepartmentTask, GuaranteeMeasure
from .parse import AMOUNT, DEPARTMENT_PARTS, SECTION_TITLES, SECTIONS, TASK_COLUMNS, THREE_PUBLIC_LABELS
from .write import THREE_PUBLIC_PARTS

DIGITS = "零一二三四五六七八九"
PROCUREMENT_HEAD = [
    [
        "政府采购项目来源",
        "采购物品名称",
        "政府采购目录序号",
        "计量单位",
        "数量",
        "单价",
        "政府采购金额（当年部门预算安排资金）",
    ],
    [
        "项目名称",
        "预算资金",
        "",
        "",
        "",
        "",
        "",
        "合计",
        "一般公共预算拨款",
        "基金预算拨款",
        "国有资本经营预算拨款",
        "财政专户核拨",
        "单位资金",
    ],
]
PROCUREMENT_AMOUNTS = [
    "amount_total",
    "amount_general_budget",
    "amount_fund_budget",
    "amount_state_capital",
    "amount_special_account",
    "amount_unit_funds",
]
NUMBER = re.compile(r"-?\d+(\.\d+)?|——")
GOAL_HEAD = ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"]


@dataclass
class Para:
    text: str
    kind: str = "p"  # "p", "sub" (a bold sub-heading), "caption" (a table's title)


@dataclass
class Grid:
    """A table: ``head`` rows are printed bold; ``spans`` gives a row's column spans where cells merge."""

    rows: list[list[str]]
    head: int = 1
    kind: str = ""
    wide: bool = False  # printed on a landscape page
    spans: dict[int, list[int]] = field(default_factory=dict)
    plain: set[tuple[int, int]] = field(default_factory=set)  # (row, cell) of head rows that hold data

    @property
    def columns(self) -> int:
        return max(sum(self.row_spans(n)) for n in range(len(self.rows)))

    def row_spans(self, number: int) -> list[int]:
        return self.spans.get(number) or [1] * len(self.rows[number])

    def cells(self) -> list[list[tuple[str, int, bool, bool]]]:
        """Each row's (text, span, is_head, is_number): what the page and the .docx render."""
        return [
            [
                (
                    text,
                    span,
                    number < self.head and (number, index) not in self.plain,
                    number >= self.head and bool(NUMBER.fullmatch(text)),
                )
                for index, (text, span) in enumerate(zip(row, self.row_spans(number), strict=True))
            ]
            for number, row in enumerate(self.rows)
        ]


@dataclass
class Section:
    number: int
    title: str
    items: list = field(default_factory=list)

    @property
    def heading(self) -> str:
        return f"{SECTIONS[self.number - 1]}、{self.title}"


@dataclass
class Disclosure:
    department: Department
    year: int
    title: str
    preamble: str
    sections: list[Section]
    basis: str  # where the changes on last year come from


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (duty and measure numbers)."""
    if n < 10:
        return DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else DIGITS[tens]) + "十" + (DIGITS[ones] if ones else "")


def wan(value: Decimal | None) -> str:
    return "0" if value is None else plain(value)


def two(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def change_words(change: Decimal | None, *, since: str = "较上年") -> str:
    if change is None:
        return f"{since}增减不详"
    if change == 0:
        return f"{since}无变化"
    return f"{since}{'增长' if change > 0 else '减少'}{plain(abs(change))}万元"


def _minus(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    return None if a is None or b is None else a - b


def _reasons(text: str) -> dict[str, str]:
    """The reason after each 三公 item's change in the stored paragraph (“…增长0.15万元，主要是…。”)."""
    found = {}
    for key, label in THREE_PUBLIC_LABELS.items():
        match = re.search(
            re.escape(label) + AMOUNT + r"[，,]?\s*较上年(?:增加|增长|减少|下降)" + AMOUNT + r"[，,]([^；;。）)]*)",
            text,
        )
        if match:
            found[key] = match.group(5)
    return found


def changes(budget: DepartmentBudget, last: DepartmentBudget | None) -> tuple[dict, str]:
    """This year minus last year: from last year's budget where the app has it, else the stored figures."""
    pairs = {"total": "expenditure_total", "basic": "basic_total", "project": "project_total"}
    result = {}
    if last is not None:
        for key, name in pairs.items():
            result[key] = _minus(getattr(budget, name), getattr(last, name))
        for part in THREE_PUBLIC_PARTS:
            result[part] = _minus(getattr(budget, part), getattr(last, part))
        return result, f"比上年增减按本系统{last.year}年预算数据计算。"
    for key, name in pairs.items():
        result[key] = _minus(getattr(budget, name), getattr(budget, f"last_year_{key}"))
    for part in THREE_PUBLIC_PARTS:
        result[part] = _minus(getattr(budget, part), getattr(budget, f"{part}_last_year"))
    return result, f"本系统没有{budget.year - 1}年预算数据，比上年增减按本年公开文本所载上年数计算。"


def _section1(department: Department) -> Section:
    section = Section(1, SECTION_TITLES[1])
    section.items.append(Para("部门职责：", "sub"))
    if department.duties_intro:
        section.items += [Para(line) for line in department.duties_intro.split("\n")]
    section.items += [Para(f"（{chinese_number(d.number)}）{d.text}") for d in department.duties.order_by("number")]
    section.items += [Para("机构设置：", "sub"), Para("部门机构设置情况", "caption")]
    rows = [["单位名称", "单位性质", "单位规格", "经费保障形式"]]
    rows += [[u.name, u.nature, u.rank, u.funding_form] for u in department.units.order_by("order", "code")]
    section.items.append(Grid(rows, kind="units"))
    return section


def _section2(department: Department, budget: DepartmentBudget, change: dict) -> Section:
    b, year = budget, budget.year
    short = department.short_name or department.name
    items = [
        Para(
            "按照预算管理有关规定，目前我省部门预算的编制实行综合预算管理，即全部收入和支出都反映的预算中。"
            f"{short}机关及所属事业单位的收支包含在部门预算中。"
        ),
        Para("1、收入说明", "sub"),
        Para(
            f"反映本部门当年全部收入。{year}年预算收入{wan(b.income_total)}万元，其中：一般公共预算收入"
            f"{wan(b.income_general_budget)}万元，基金预算收入{wan(b.income_fund_budget)}万元，财政专户核拨收入"
            f"{wan(b.income_special_account)}万元，其他来源收入{wan(b.income_other)}万元，上年结转"
            f"{wan(b.income_carryover)}万元。"
        ),
        Para("2、支出说明", "sub"),
    ]
    spending = (
        f"收支预算总表支出栏、基本支出表、项目支出表按经济分类和支出功能分类科目编制，反映{short}年度部门预算中"
        f"支出预算的总体情况。{year}年部门支出预算为{wan(b.expenditure_total)}万元，其中基本支出{wan(b.basic_total)}"
        f"万元，包括人员经费{wan(b.basic_personnel)}万元和日常公用经费{wan(b.basic_public)}万元；项目支出"
        f"{wan(b.project_total)}万元"
    )
    project_items = list(b.project_items.order_by("order"))
    if project_items:
        spending += "，主要为" + "，".join(f"{i.name}支出{wan(i.amount)}万元" for i in project_items)
    items.append(Para(spending + "。"))
    items.append(Para("3、比上年增减情况", "sub"))
    basic = change_words(change["basic"], since="").replace("增长", "增加")
    project = change_words(change["project"], since="").replace("增长", "增加")
    total = change_words(change["total"], since=f"较{year - 1}年").replace("增长", "增加")
    basic_reason = f"，{b.basic_change_reason}" if b.basic_change_reason else ""
    project_reason = f"，{b.project_change_reason}" if b.project_change_reason else ""
    items.append(
        Para(
            f"{year}年部门预算收支安排{wan(b.expenditure_total)}万元，{total}，其中：基本支出{basic}{basic_reason}；"
            f"项目支出{project}{project_reason}。"
        )
    )
    return Section(2, SECTION_TITLES[2], items)


def _section4(budget: DepartmentBudget, change: dict) -> Section:
    b, reasons = budget, _reasons(budget.three_public_change_reason)

    def part(key: str, label: str) -> str:
        reason = f"，{reasons[key]}" if key in reasons and change[key] else ""
        return f"{label}{wan(getattr(b, key))}万元，{change_words(change[key])}{reason}"

    text = (
        f"{b.year}年，我部门财政拨款{part('three_public_total', '“三公”经费预算安排')}。其中："
        f"{part('overseas_travel', '因公出国（境）费')}；{part('vehicle_total', '公务用车购置及运维费')}（其中："
        f"{part('vehicle_purchase', '公务用车购置费')}；{part('vehicle_running', '公务用车运行维护费')}）；"
        f"{part('reception', '公务接待费')}。"
    )
    return Section(4, SECTION_TITLES[4], [Para(text)])


def _goal_table(project: Project) -> Grid:
    unit = project.unit
    rows = [
        [f"{unit.code or ''}{unit.short_name or unit.name}"],
        ["绩效目标", getattr(project, "goal_text", "")],
        GOAL_HEAD,
    ]
    previous = None
    for indicator in project.indicators.in_order():
        level1 = indicator.level1_as_written or indicator.level1.name
        level2 = indicator.level2_as_written or indicator.level2.name
        shown = "" if level1 == previous else level1
        previous = level1
        rows.append([shown, level2, indicator.name, indicator.description, indicator.target, indicator.basis])
    return Grid(rows, head=3, kind="goals", spans={0: [6], 1: [1, 5]}, plain={(1, 1)})


def _section5(department: Department, year: int) -> Section:
    scope = {"department": department, "year": year}
    items = [Para("第一部分  部门整体绩效目标", "sub"), Para("（一）总体绩效目标", "sub")]
    goals = DepartmentGoal.objects.filter(**scope).order_by("number")
    if goals:
        items.append(Para("".join(f"{g.number}、{g.text}" for g in goals)))
    items.append(Para("（二）分项绩效目标", "sub"))
    for sub in DepartmentSubGoal.objects.filter(**scope).order_by("number"):
        items += [Para(f"{sub.number}、{sub.name}"), Para(f"绩效目标：{sub.goal}"), Para(f"绩效指标：{sub.indicators}")]
    items.append(Para("（三）工作保障措施", "sub"))
    for measure in GuaranteeMeasure.objects.filter(**scope).order_by("number"):
        items.append(Para(f"（{chinese_number(measure.number)}）{measure.title}。{measure.text}"))
    items += _department_tables(department, year)
    items.append(Para("第二部分  预算项目绩效目标", "sub"))
    projects = (
        Project.objects.filter(unit__department=department, year=year)
        .select_related("unit", "goal")
        .order_by("unit__order", "order", "id")
    )
    for number, project in enumerate(projects, start=1):
        project.goal_text = project.goal.text if hasattr(project, "goal") else ""
        items.append(Para(f"{number}、{project.title_as_published or project.name + '绩效目标表'}", "caption"))
        items.append(_goal_table(project))
    return Section(5, SECTION_TITLES[5], items)


def _department_tables(department: Department, year: int) -> list:
    """The department's main tasks and own indicators (财预〔2015〕88号 annex 2), after the seed's three parts and
    only where the app holds them: a disclosure without them prints exactly as the seed."""
    scope = {"department": department, "year": year}
    items, number = [], 4
    tasks = list(DepartmentTask.objects.filter(**scope).order_by("number"))
    if tasks:
        rows = [
            [
                str(t.number),
                t.name,
                t.content,
                _amount(t.amount_total),
                _amount(t.amount_fiscal),
                _amount(t.amount_other),
            ]
            for t in tasks
        ]
        items += [
            Para(f"（{chinese_number(number)}）{DEPARTMENT_PARTS[0]}", "sub"),
            Grid([TASK_COLUMNS, *rows], kind="tasks"),
        ]
        number += 1
    indicators = list(
        DepartmentIndicator.objects.filter(**scope).select_related("level1", "level2").order_by("order", "id")
    )
    if indicators:
        rows = [[i.level1.name, i.level2.name, i.name, i.description, i.target, i.basis] for i in indicators]
        items += [
            Para(f"（{chinese_number(number)}）{DEPARTMENT_PARTS[1]}", "sub"),
            Grid([GOAL_HEAD, *rows], kind="goals"),
        ]
    return items


def _amount(value: Decimal | None) -> str:
    return "" if value is None else plain(value)


def _section6(department: Department, budget: DepartmentBudget) -> Section:
    lines = list(
        ProcurementLine.objects.filter(budget=budget).select_related("unit").order_by("unit__order", "order", "id")
    )
    total = budget.procurement_total
    if total is None:
        total = sum((line.amount_total for line in lines), Decimal("0"))
    items = [
        Para(f"{budget.year}年，我部门安排政府采购预算{wan(total)}万元。具体内容见下表。"),
        Para("部门政府采购预算", "caption"),
    ]
    rows = [[f"{department.code}{department.name}", "单位：万元"], *PROCUREMENT_HEAD]

    def sums(chosen: list[ProcurementLine]) -> list[str]:
        out = []
        for name in PROCUREMENT_AMOUNTS:
            values = [getattr(line, name) for line in chosen if getattr(line, name) is not None]
            out.append(two(sum(values, Decimal("0"))) if values else "")
        return out

    rows.append(["合计", "", "", "", "", "", "", *sums(lines)])
    units = []
    for line in lines:
        if line.unit not in units:
            units.append(line.unit)
    for unit in units:
        chosen = [line for line in lines if line.unit == unit]
        label = f"{unit.name}机关本级小计" if unit.name == department.name else f"{unit.name}小计"
        rows.append([label, "", "", "", "", "", "", *sums(chosen)])
        for line in chosen:
            amounts = [two(getattr(line, name)) for name in PROCUREMENT_AMOUNTS]
            rows.append(
                [
                    line.source_project,
                    two(line.source_budget),
                    line.item,
                    line.catalogue_code,
                    line.measure_unit,
                    plain(line.quantity),
                    two(line.unit_price),
                    *amounts,
                ]
            )
    spans = {0: [11, 2], 1: [2, 1, 1, 1, 1, 1, 6]}
    items.append(Grid(rows, head=3, kind="procurement", wide=True, spans=spans))
    return Section(6, SECTION_TITLES[6], items)


def _section7(department: Department, budget: DepartmentBudget) -> Section:
    lines = list(budget.asset_lines.order_by("order"))
    total = next((line.value for line in lines if line.kind == "total"), None)
    as_of = budget.assets_as_of
    year_end = as_of.year if as_of else budget.year - 1
    note = budget.planned_asset_purchase_note
    text = f"{department.name}{year_end}年末固定资产金额为{wan(total)}万元（详见下表）"
    if budget.planned_asset_purchase is not None:
        text += f"，本年度各单位（处室）拟购置固定资产总额为{two(budget.planned_asset_purchase)}万元，{note}"
    else:
        text += "。"
    items = [Para(text), Para(f"{department.name}固定资产占用情况表", "caption")]
    when = f"{as_of.year}年{as_of.month}月{as_of.day}日" if as_of else ""
    rows = [[f"编制部门：{department.name}", f"截止时间：{when}"], ["项目", "数量", "价值（金额单位：万元）"]]
    for line in lines:
        quantity = "——" if line.quantity is None else plain(line.quantity)
        value = "——" if line.value is None else plain(line.value)
        rows.append([line.label, quantity, value])
    items.append(Grid(rows, head=2, kind="assets", spans={0: [2, 1]}))
    return Section(7, SECTION_TITLES[7], items)


def build_disclosure(department: Department, year: int) -> Disclosure | None:
    """The disclosure of the department's year, or None when the app has no budget for it."""
    budget = DepartmentBudget.objects.filter(department=department, year=year).first()
    if budget is None:
        return None
    last = DepartmentBudget.objects.filter(department=department, year=year - 1).first()
    change, basis = changes(budget, last)
    operating = f"{year}年，我部门机关运行经费共计安排{wan(budget.operating_cost)}万元，{budget.operating_cost_uses}"
    sections = [
        _section1(department),
        _section2(department, budget, change),
        Section(3, SECTION_TITLES[3], [Para(operating)]),
        _section4(budget, change),
        _section5(department, year),
        _section6(department, budget),
        _section7(department, budget),
        Section(
            8,
            SECTION_TITLES[8],
            [Para(f"{n}、{t.term}：{t.definition}") for n, t in enumerate(GlossaryTerm.objects.order_by("order"), 1)],
        ),
        Section(9, SECTION_TITLES[9], [Para(line) for line in budget.other_notes.split("\n") if line]),
    ]
    return Disclosure(
        department=department,
        year=year,
        title=budget.title or f"{year}年部门预算信息公开情况说明",
        preamble=budget.preamble,
        sections=sections,
        basis=basis,
    )


# --- .docx -----------------------------------------------------------------------------------------

FONT = "SimSun"
HEAD_FONT = "SimHei"


def _font(run, name: str = FONT, size: float = 12, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _paragraph(document, text: str, *, size=12, bold=False, name=FONT, center=False, indent=True, before=0):
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.space_before = Pt(before)
    paragraph.paragraph_format.keep_with_next = bold  # a heading or caption stays with what follows
    paragraph.paragraph_format.space_after = Pt(4)
    paragraph.paragraph_format.line_spacing = 1.3
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif indent:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)
    _font(paragraph.add_run(text), name, size, bold)
    return paragraph


def _grid(document, grid: Grid, width_cm: float) -> None:
    columns = grid.columns
    table = document.add_table(rows=len(grid.rows), cols=columns)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = _widths(grid.kind, columns, width_cm)
    for index, column in enumerate(table.columns):  # LibreOffice reads the grid, Word the cells
        column.width = Cm(widths[index])
        for cell in column.cells:
            cell.width = Cm(widths[index])
    size = 7.5 if grid.kind == "procurement" else 9
    for number, row in enumerate(grid.cells()):
        column = 0
        for text, span, head, numeric in row:
            cell = table.cell(number, column)
            if span > 1:
                cell = cell.merge(table.cell(number, column + span - 1))
            paragraph = cell.paragraphs[0]
            if numeric:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _font(paragraph.add_run(text), FONT, size, bold=head)
            column += span


def _widths(kind: str, columns: int, total: float) -> list[float]:
    shares = {
        "goals": [2, 2.4, 3, 4, 3.2, 2.4],
        "procurement": [3.2, 1.4, 2.6, 2.4, 1.1, 1, 1, 1.3, 1.6, 1.3, 1.6, 1.3, 1.2],
        "assets": [7, 3, 5],
        "tasks": [1, 3, 6, 2, 2, 2],
    }.get(kind, [1] * columns)
    scale = total / sum(shares)
    return [share * scale for share in shares]


def disclosure_docx(disclosure: Disclosure) -> bytes:
    """The disclosure as a Word document of the seed's template (A4; the procurement page landscape)."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.2)
    section.top_margin = section.bottom_margin = Cm(2.2)
    style = document.styles["Normal"]
    style.font.name = FONT
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    _paragraph(document, disclosure.department.name, size=18, bold=True, name=HEAD_FONT, center=True)
    _paragraph(document, disclosure.title, size=18, bold=True, name=HEAD_FONT, center=True)
    for line in disclosure.preamble.split("\n"):
        if line:
            _paragraph(document, line)
    portrait_width = 21 - 4.4
    for part in disclosure.sections:
        wide = any(isinstance(item, Grid) and item.wide for item in part.items)
        if wide:
            _orient(document, landscape=True)
        _paragraph(document, part.heading, size=14, bold=True, name=HEAD_FONT, indent=False, before=12)
        for item in part.items:
            if isinstance(item, Grid):
                _grid(document, item, 29.7 - 4.4 if item.wide else portrait_width)
            elif item.kind == "sub":
                _paragraph(document, item.text, bold=True)
            elif item.kind == "caption":
                _paragraph(document, item.text, bold=True, center=True, before=10)
            else:
                _paragraph(document, item.text)
        if wide:
            _orient(document, landscape=False)
    out = BytesIO()
    document.save(out)
    return out.getvalue()


def _orient(document, *, landscape: bool) -> None:
    section = document.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    long, short = Cm(29.7), Cm(21)
    section.page_width, section.page_height = (long, short) if landscape else (short, long)
