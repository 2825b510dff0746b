"""Read the disclosure template's phrases and tables into the fixture's dict shape.

Works on blocks (``text.read_text`` or ``docx.read_docx``). Every figure is read from the phrase
the template prints it with; what is not there is a ``Gap`` with its place, never a guess.
"""

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from .model import Block, Gap, Paragraph, ParsedDisclosure, Table, UnreadableDisclosure

SECTIONS = "一二三四五六七八九"
SECTION_TITLES = {
    1: "部门职责及机构设置情况",
    2: "部门预算安排的总体情况",
    3: "机关运行经费安排情况",
    4: "财政拨款“三公”经费预算情况及增减变化原因",
    5: "预算绩效信息",
    6: "政府采购预算情况",
    7: "国有资产信息",
    8: "名词解释",
    9: "其他需要说明的事项",
}
HEADING = re.compile(r"^([一二三四五六七八九])、\s*(.*)$")
CN_NUMBER = re.compile(r"^（([一二三四五六七八九十]+)）\s*(.*)$", re.S)
NUMBERED = re.compile(r"^(\d+)、\s*(.*)$", re.S)
AMOUNT = r"(-?\d+(?:\.\d+)?)\s*(万元|元)"
UP = ("增加", "增长", "上升")
DOWN = ("减少", "下降", "降低")
GOAL_COLUMNS = ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"]
GOAL_KEYS = ["level1", "level2", "name", "description", "target", "basis"]
# The department's main tasks and own indicators (财预〔2015〕88号 annex 2): parts of 第一部分 after the seed's three,
# printed by the generator where the app holds them.
DEPARTMENT_PARTS = ("年度主要任务", "部门整体绩效指标")
TASK_COLUMNS = ["序号", "任务名称", "主要内容", "总额", "财政拨款", "其他资金"]
TASK_KEYS = ["number", "name", "content", "amount_total", "amount_fiscal", "amount_other"]
UNIT_COLUMNS = {"单位名称": "name", "单位性质": "nature", "单位规格": "rank", "经费保障形式": "funding_form"}
PROCUREMENT_COLUMNS = 13
THREE_PUBLIC_LABELS = {
    "three_public_total": "“三公”经费预算安排",
    "overseas_travel": "因公出国（境）费",
    "vehicle_total": "公务用车购置及运维费",
    "vehicle_purchase": "公务用车购置费",
    "vehicle_running": "公务用车运行维护费",
    "reception": "公务接待费",
}
INCOME_LABELS = {
    "income_total": "预算收入",
    "income_general_budget": "一般公共预算收入",
    "income_fund_budget": "基金预算收入",
    "income_special_account": "财政专户核拨收入",
    "income_other": "其他来源收入",
    "income_carryover": "上年结转",
}
SPENDING_LABELS = {
    "expenditure_total": "部门支出预算为",
    "basic_total": "基本支出",
    "basic_personnel": "人员经费",
    "basic_public": "日常公用经费",
    "project_total": "项目支出",
}


def _wan(number: str, unit: str) -> Decimal:
    value = Decimal(number)
    return value / Decimal("10000") if unit == "元" else value


def _decimal(text: str) -> Decimal | None:
    text = (text or "").strip().replace(",", "").replace("，", "")
    if text in ("", "——", "—", "-", "--"):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


class _Reader:
    def __init__(self, blocks: list[Block], year: int | None):
        self.blocks = blocks
        self.gaps: list[Gap] = []
        self.year = year
        self.sections: dict[int, list[Block]] = {n: [] for n in range(0, 10)}
        self.heads: dict[int, str] = {}

    def gap(self, section: int | str, where: str, message: str) -> None:
        label = section if isinstance(section, str) else (SECTION_TITLES.get(section) or "标题")
        if isinstance(section, int) and section:
            label = f"{SECTIONS[section - 1]}、{label}"
        self.gaps.append(Gap(section=label, where=where, message=message))

    def where(self, section: int) -> str:
        return self.heads.get(section, "文中未找到本节")

    # --- the document's outline --------------------------------------------------------------

    def split(self) -> None:
        current = 0
        for block in self.blocks:
            if isinstance(block, Paragraph) and (match := HEADING.match(block.text)):
                number = SECTIONS.index(match.group(1)) + 1
                if number > current:
                    current = number
                    self.heads[number] = block.where
                    continue
            self.sections[current].append(block)
        for number, title in SECTION_TITLES.items():
            if number not in self.heads:
                self.gap(number, "—", f"未找到第{SECTIONS[number - 1]}部分“{title}”的标题。")

    def paragraphs(self, section: int) -> list[Paragraph]:
        return [b for b in self.sections[section] if isinstance(b, Paragraph)]

    def tables(self, section: int) -> list[Table]:
        return [b for b in self.sections[section] if isinstance(b, Table)]

    def find(self, section: int, phrase: str) -> Paragraph | None:
        return next((p for p in self.paragraphs(section) if phrase in p.text), None)

    def amount(self, section: int, paragraph: Paragraph | None, label: str, what: str) -> Decimal | None:
        if paragraph is None:
            self.gap(section, self.where(section), f"未找到{what}所在的段落。")
            return None
        match = re.search(re.escape(label) + AMOUNT, paragraph.text)
        if match is None:
            self.gap(section, paragraph.where, f"未读出{what}（“{label}…万元”）。")
            return None
        return _wan(match.group(1), match.group(2))

    # --- the parts -----------------------------------------------------------------------------

    def header(self) -> tuple[dict, dict]:
        texts = self.paragraphs(0)
        if len(texts) < 2:
            raise UnreadableDisclosure(
                "文档开头没有部门名称和“××年部门预算信息公开情况说明”标题，不是部门预算公开文本。"
            )
        name, title = texts[0].text, texts[1].text
        if "预算" not in title:
            raise UnreadableDisclosure(f"第二段“{title[:40]}”不是部门预算公开的标题。")
        if self.year is None:
            match = re.search(r"(\d{4})年", title)
            if match is None:
                raise UnreadableDisclosure(f"标题“{title}”中没有年度，请用 --year 指定。")
            self.year = int(match.group(1))
        preamble = "\n".join(p.text for p in texts[2:])
        return {"code": None, "name": name}, {"year": self.year, "title": title, "preamble": preamble}

    def duties(self, department: dict) -> None:
        intro, duties, in_duties = [], [], False
        for paragraph in self.paragraphs(1):
            text = paragraph.text
            if text.startswith("机构设置") or text == "部门机构设置情况":
                break
            if text.startswith("部门职责"):
                in_duties = True
                continue
            if match := CN_NUMBER.match(text):
                duties.append({"number": len(duties) + 1, "text": match.group(2)})
            elif in_duties and not duties:
                intro.append(text)
        department["duties_intro"] = "\n".join(intro)
        department["duties"] = duties
        match = re.search(r"（简称(.+?)）", department["duties_intro"])
        department["short_name"] = match.group(1) if match else ""
        if not duties:
            self.gap(1, self.where(1), "未读出部门职责（“（一）…”各条）。")
        if not match:
            self.gap(1, self.where(1), "部门职责概述中没有“（简称…）”，部门简称留空。")

    def units(self) -> list[dict]:
        table = next((t for t in self.tables(1) if any("单位名称" in c for r in t.rows for c in r.cells)), None)
        if table is None:
            self.gap(1, self.where(1), "未找到部门机构设置情况表（“单位名称”列）。")
            return []
        header_index = next(i for i, r in enumerate(table.rows) if any("单位名称" in c for c in r.cells))
        header = [c.strip() for c in table.rows[header_index].cells]
        columns = {}
        for title, key in UNIT_COLUMNS.items():
            if title in header:
                columns[key] = header.index(title)
            else:
                self.gap(1, table.label(table.rows[header_index]), f"机构设置表缺少“{title}”列，该项留空。")
        if "name" not in columns:
            return []
        units = []
        for row in table.rows[header_index + 1 :]:
            if not any(c.strip() for c in row.cells):
                continue
            if len(row.cells) != len(header):
                self.gap(1, table.label(row), f"本行有{len(row.cells)}格，表头有{len(header)}列，未读取。")
                continue
            unit = {"code": None, "short_name": "", "order": len(units) + 1}
            for key in UNIT_COLUMNS.values():
                unit[key] = row.cells[columns[key]].strip() if key in columns else ""
            units.append(unit)
        return units

    def overview(self, budget: dict) -> None:
        paragraphs = self.paragraphs(2)
        cut = next((i for i, p in enumerate(paragraphs) if "比上年增减" in p.text[:12]), len(paragraphs))
        budget["overview"] = "\n".join(p.text for p in paragraphs[:cut])
        change = next((p for p in paragraphs[cut:] if "较" in p.text), None)
        income = self.find(2, "预算收入")
        for key, label in INCOME_LABELS.items():
            budget[key] = self.amount(2, income, label, f"收入（{label}）")
        spending = self.find(2, "部门支出预算")
        for key, label in SPENDING_LABELS.items():
            budget[key] = self.amount(2, spending, label, f"支出（{label.removesuffix('为')}）")
        budget["project_items"] = []
        if spending is not None and (match := re.search(r"项目支出[^，；。]*?万元，主要为(.*?)\s*。", spending.text)):
            for part in re.split(r"[，、]", match.group(1)):
                item = re.fullmatch(r"\s*(.+?)支出" + AMOUNT + r"\s*", part)
                if item is None:
                    self.gap(2, spending.where, f"项目支出明细“{part.strip()}”读不出名称和金额。")
                    continue
                budget["project_items"].append(
                    {
                        "order": len(budget["project_items"]) + 1,
                        "name": item.group(1),
                        "amount": _wan(*item.group(2, 3)),
                    }
                )
        elif spending is not None:
            self.gap(2, spending.where, "项目支出没有“主要为…支出…万元”的明细。")
        self.changes(budget, change)

    def changes(self, budget: dict, paragraph: Paragraph | None) -> None:
        patterns = {
            "stated_total_change": r"较\d{4}年",
            "stated_basic_change": r"基本支出",
            "stated_project_change": r"项目支出",
        }
        for key, lead in patterns.items():
            budget[key] = None
            if paragraph is None:
                continue
            match = re.search(lead + r"(增加|增长|减少|下降|持平|无变化)(?:" + AMOUNT + r")?", paragraph.text)
            if match is None:
                self.gap(2, paragraph.where, f"未读出{_CHANGE_LABELS[key]}。")
                continue
            budget[key] = _signed(match.group(1), match.group(2), match.group(3))
        if paragraph is None:
            self.gap(2, self.where(2), "未找到“比上年增减情况”段落。")
        for key, lead in (("basic_change_reason", "基本支出"), ("project_change_reason", "项目支出")):
            match = paragraph and re.search(
                lead + r"(?:增加|增长|减少|下降)" + AMOUNT + r"，(.*?)[；;。]", paragraph.text
            )
            budget[key] = match.group(3) if match else ""

    def operating(self, budget: dict) -> None:
        paragraph = self.find(3, "机关运行经费")
        budget["operating_cost"] = self.amount(3, paragraph, "安排", "机关运行经费")
        match = paragraph and re.search(r"安排" + AMOUNT + r"[，,](.*)$", paragraph.text)
        budget["operating_cost_uses"] = match.group(3) if match else ""

    def three_public(self, budget: dict) -> None:
        paragraph = self.find(4, "三公")
        budget["three_public_change_reason"] = "\n".join(p.text for p in self.paragraphs(4))
        budget["stated_three_public_changes"] = {}
        for key, label in THREE_PUBLIC_LABELS.items():
            budget[key] = None
            if paragraph is None:
                continue
            match = re.search(
                re.escape(label) + AMOUNT + r"[，,]?\s*较上年(增加|增长|减少|下降|持平|无变化)(?:" + AMOUNT + ")?",
                paragraph.text,
            )
            if match is None:
                self.gap(4, paragraph.where, f"未读出{label.removesuffix('预算安排')}及其比上年增减。")
                continue
            budget[key] = _wan(match.group(1), match.group(2))
            budget["stated_three_public_changes"][key] = _signed(match.group(3), match.group(4), match.group(5))
        if paragraph is None:
            self.gap(4, self.where(4), "未找到“三公”经费段落。")

    def goals(self) -> tuple[list, list, list]:
        goals, subs, measures = [], [], []
        part = None
        for paragraph in self.paragraphs(5):
            text = paragraph.text
            if text.startswith("第二部分"):
                break
            if match := CN_NUMBER.match(text):
                heading = match.group(2)
                if heading in ("总体绩效目标", "分项绩效目标", "工作保障措施", *DEPARTMENT_PARTS):
                    part = heading
                    continue
            if part == "总体绩效目标":
                starts = list(re.finditer(r"(?:^|(?<=[；;。]))\s*(\d+)、", text))
                for m, nxt in zip(starts, [*starts[1:], None], strict=False):
                    goals.append({"number": int(m.group(1)), "text": text[m.end() : nxt.start() if nxt else None]})
                if not starts:
                    goals.append({"number": len(goals) + 1, "text": text})
            elif part == "分项绩效目标":
                if match := NUMBERED.match(text):
                    subs.append({"number": int(match.group(1)), "name": match.group(2), "goal": "", "indicators": ""})
                elif subs and text.startswith("绩效目标："):
                    subs[-1]["goal"] = text.removeprefix("绩效目标：")
                elif subs and text.startswith("绩效指标："):
                    subs[-1]["indicators"] = text.removeprefix("绩效指标：")
                else:
                    self.gap(5, paragraph.where, f"分项绩效目标中读不懂“{text[:30]}”。")
            elif part == "工作保障措施" and (match := CN_NUMBER.match(text)):
                title, _, rest = match.group(2).partition("。")
                measures.append({"number": len(measures) + 1, "title": title, "text": rest})
        if not goals:
            self.gap(5, self.where(5), "未读出部门总体绩效目标。")
        return goals, subs, measures

    def department_tables(self) -> tuple[list, list]:
        """The main tasks and the department's own indicators: the table after each part's heading."""
        tasks, indicators = [], []
        part = None
        for block in self.sections[5]:
            if isinstance(block, Paragraph):
                if block.text.strip().startswith("第二部分"):
                    break
                match = CN_NUMBER.match(block.text)
                part = match.group(2).strip() if match else part
                continue
            if part not in DEPARTMENT_PARTS:
                continue
            columns, keys = (TASK_COLUMNS, TASK_KEYS) if part == DEPARTMENT_PARTS[0] else (GOAL_COLUMNS, GOAL_KEYS)
            head = [cell.strip() for cell in block.rows[0].cells] if block.rows else []
            if head != columns:
                self.gap(5, block.label(), f"“{part}”表的表头应为：{'、'.join(columns)}。")
                continue
            for row in block.rows[1:]:
                cells = [cell.strip() for cell in row.cells]
                if len(cells) != len(columns):
                    self.gap(5, block.label(row), f"“{part}”表的这一行应有 {len(columns)} 列。")
                    continue
                values = dict(zip(keys, cells, strict=True))
                if part == DEPARTMENT_PARTS[0]:
                    if not values["number"].isdigit():
                        self.gap(5, block.label(row), "年度主要任务的序号应为数字。")
                        continue
                    values["number"] = int(values["number"])
                    for key in ("amount_total", "amount_fiscal", "amount_other"):
                        values[key] = None if _decimal(values[key]) is None else str(_decimal(values[key]))
                    tasks.append(values)
                else:
                    indicators.append(values)
            part = None
        return tasks, indicators

    def projects(self, units: list[dict], department: dict) -> list[dict]:
        projects = []
        blocks = self.sections[5]
        start = next(
            (i for i, b in enumerate(blocks) if isinstance(b, Paragraph) and b.text.startswith("第二部分")), None
        )
        if start is None:
            self.gap(5, self.where(5), "未找到“第二部分 预算项目绩效目标”。")
            return []
        index = start + 1
        while index < len(blocks):
            block = blocks[index]
            index += 1
            if not isinstance(block, Paragraph):
                continue
            match = NUMBERED.match(block.text)
            if match is None:
                self.gap(5, block.where, f"预算项目绩效目标中读不懂“{block.text[:30]}”。")
                continue
            tables = []
            while index < len(blocks) and isinstance(blocks[index], Table):
                tables.append(blocks[index])
                index += 1
            title = match.group(2).strip()
            project = {
                "order": len(projects) + 1,
                "unit_code": None,
                "name": re.sub(r"绩效目标.?$", "", title) or title,
                "title_as_published": title,
                "goal": "",
                "indicators": [],
            }
            if not tables:
                self.gap(5, block.where, f"“{title}”后面没有绩效目标表。")
                continue
            if self.goal_table(project, tables, units, department):
                projects.append(project)
        return projects

    def goal_table(self, project: dict, tables: list[Table], units: list[dict], department: dict) -> bool:
        rows = [(t, r) for t in tables for r in t.rows]
        place = tables[0].label()
        header_at = next((i for i, (_, r) in enumerate(rows) if "一级指标" in [c.strip() for c in r.cells]), None)
        head_rows = rows if header_at is None else rows[:header_at]
        for table, row in head_rows:
            cells = [c.strip() for c in row.cells]
            if cells and cells[0] == "绩效目标":
                project["goal"] = row.cells[1] if len(row.cells) > 1 else ""
            elif cells and (match := re.fullmatch(r"(\d+)\s*(.+)", cells[0])):
                project["unit_code"] = match.group(1)
                self.attach_unit(match.group(1), match.group(2), units, department, table.label(row))
        if project["unit_code"] is None:
            self.gap(5, place, f"“{project['title_as_published']}”表头没有“单位编码+单位名称”，项目未读取。")
            return False
        if not project["goal"]:
            self.gap(5, place, f"“{project['title_as_published']}”没有“绩效目标”行。")
        if header_at is None:
            self.gap(5, place, f"“{project['title_as_published']}”没有“一级指标…”表头，指标未读取。")
            return True
        header = [c.strip() for c in rows[header_at][1].cells]
        columns = {}
        for title, key in zip(GOAL_COLUMNS, GOAL_KEYS, strict=True):
            if title in header:
                columns[key] = header.index(title)
            elif key in ("level1", "level2", "name"):
                self.gap(5, place, f"“{project['title_as_published']}”缺少“{title}”列，指标未读取。")
                return True
            else:
                self.gap(5, place, f"“{project['title_as_published']}”缺少“{title}”列，该列留空。")
        width = len(header)
        level1 = level2 = ""
        pending: list[str] = []
        pending_row = None
        for table, row in rows[header_at + 1 :]:
            cells = [*pending, *row.cells]
            pending_row = pending_row or (table, row)
            if len(cells) < width:
                pending = cells
                continue
            where = pending_row[0].label(pending_row[1])
            pending, pending_row = [], None
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != width:
                self.gap(5, where, f"本行有{len(cells)}格，表头有{width}列，未读取。")
                continue
            values = {key: cells[i] for key, i in columns.items()}
            level1 = values["level1"].strip() or level1
            level2 = values["level2"].strip() or level2
            indicator = {"order": len(project["indicators"]) + 1, **dict.fromkeys(GOAL_KEYS, "")}
            indicator.update(values)
            indicator.update(level1=level1, level2=level2)
            if not level1 or not level2 or not indicator["name"].strip():
                self.gap(5, where, "一级、二级或三级指标为空，本行未读取。")
                continue
            project["indicators"].append(indicator)
        if pending:
            self.gap(5, pending_row[0].label(pending_row[1]), f"最后一行只有{len(pending)}格，未读取。")
        return True

    def attach_unit(self, code: str, name: str, units: list[dict], department: dict, where: str) -> None:
        """A goal table's “731001张家口市科协本级” gives that unit its code and short name."""
        unit = _unit_named(name, units, department)
        if unit is None:
            self.gap(5, where, f"“{code}{name}”不是机构设置表中的单位。")
            return
        if unit["code"] not in (None, code):
            self.gap(5, where, f"单位“{unit['name']}”的编码既是{unit['code']}又是{code}。")
            return
        unit["code"], unit["short_name"] = code, name

    def procurement(self, budget: dict, units: list[dict], department: dict) -> list[dict]:
        paragraph = self.find(6, "政府采购预算")
        budget["procurement_total"] = self.amount(6, paragraph, "政府采购预算", "政府采购预算合计")
        table = next((t for t in self.tables(6) if any("政府采购项目来源" in c for r in t.rows for c in r.cells)), None)
        if table is None:
            self.gap(6, self.where(6), "未找到政府采购预算表。")
            return []
        lines, unit = [], None
        for row in table.rows:
            cells = [c.strip() for c in row.cells]
            first = re.sub(r"\s+", "", cells[0]) if cells else ""
            if match := re.fullmatch(r"(\d+)\s*(.+)", cells[0] if cells else ""):
                if match.group(2).strip() == department["name"]:
                    department["code"] = match.group(1)
                continue
            if "政府采购项目来源" in cells or first == "项目名称" or first == "合计" or not any(cells):
                continue
            if first.endswith("小计"):
                unit = _unit_named(first.removesuffix("小计"), units, department)
                if unit is None:
                    self.gap(6, table.label(row), f"“{first}”不是机构设置表中的单位。")
                elif unit["code"] is None:
                    self.gap(
                        6, table.label(row), f"单位“{unit['name']}”没有编码（绩效目标表中未出现），其采购行未读取。"
                    )
                    unit = None
                continue
            if len(cells) != PROCUREMENT_COLUMNS:
                self.gap(6, table.label(row), f"本行有{len(cells)}格，采购表应有{PROCUREMENT_COLUMNS}列，未读取。")
                continue
            if unit is None:
                self.gap(6, table.label(row), "本行不在任何单位的“小计”之下，未读取。")
                continue
            numbers = {
                key: _decimal(cells[i])
                for key, i in (
                    ("source_budget", 1),
                    ("quantity", 5),
                    ("unit_price", 6),
                    ("amount_total", 7),
                    ("amount_general_budget", 8),
                    ("amount_fund_budget", 9),
                    ("amount_state_capital", 10),
                    ("amount_special_account", 11),
                    ("amount_unit_funds", 12),
                )
            }
            missing = [k for k in ("quantity", "unit_price", "amount_total") if numbers[k] is None]
            if missing:
                self.gap(6, table.label(row), "数量、单价或采购金额合计不是数字，本行未读取。")
                continue
            lines.append(
                {
                    "order": len(lines) + 1,
                    "unit_code": unit["code"],
                    "source_project": cells[0],
                    "item": cells[2],
                    "catalogue_code": cells[3],
                    "measure_unit": cells[4],
                    **numbers,
                }
            )
        return lines

    def assets(self, budget: dict) -> list[dict]:
        texts = [(p.text, p.where) for p in self.paragraphs(7)]
        table = None
        for t in self.tables(7):
            for row in t.rows:
                cells = [c.strip() for c in row.cells if c.strip()]
                texts += [(cell, t.label(row)) for cell in cells if "固定资产" in cell]
                for cell in cells:
                    if match := re.search(r"截止时间：\s*(\d{4})年(\d{1,2})月(\d{1,2})日", cell):
                        budget["assets_as_of"] = date(*map(int, match.groups())).isoformat()
                if "项目" in cells and "数量" in cells:
                    table = t
        budget.setdefault("assets_as_of", None)
        budget["planned_asset_purchase"], budget["planned_asset_purchase_note"] = None, ""
        for text, where in texts:
            if match := re.search(r"拟购置固定资产总额为" + AMOUNT + r"[，,]?(.*)$", text):
                budget["planned_asset_purchase"] = _wan(match.group(1), match.group(2))
                budget["planned_asset_purchase_note"] = match.group(3)
            if budget["assets_as_of"] is None and (match := re.search(r"(\d{4})年末固定资产", text)):
                self.gap(7, where, "没有“截止时间：××年××月××日”，资产统计截止日期留空。")
        if budget["planned_asset_purchase"] is None:
            self.gap(7, self.where(7), "未读出“拟购置固定资产总额为…万元”。")
        if table is None:
            self.gap(7, self.where(7), "未找到固定资产占用情况表（“项目、数量、价值”表头）。")
            return []
        lines, started = [], False
        for row in table.rows:
            cells = [c.strip() for c in row.cells]
            if "项目" in cells and "数量" in cells:
                started = True
                continue
            if not started or not any(cells):
                continue
            if len(cells) != 3:
                self.gap(7, table.label(row), f"本行有{len(cells)}格，资产表应有3列，未读取。")
                continue
            label = cells[0]
            kind = "total" if label == "资产总额" else "of_which" if label.startswith("其中") else "item"
            quantity, value = _decimal(cells[1]), _decimal(cells[2])
            for cell, number in ((cells[1], quantity), (cells[2], value)):
                if number is None and cell not in ("", "——", "—", "-", "--"):
                    self.gap(7, table.label(row), f"“{cell}”不是数字，留空。")
            lines.append({"order": len(lines) + 1, "kind": kind, "label": label, "quantity": quantity, "value": value})
        return lines

    def glossary(self) -> list[dict]:
        terms = []
        for paragraph in self.paragraphs(8):
            match = re.match(r"^\d+、(.+?)[：:](.*)$", paragraph.text, re.S)
            if match is None:
                self.gap(8, paragraph.where, f"名词解释“{paragraph.text[:30]}”没有“名词：解释”。")
                continue
            terms.append({"order": len(terms) + 1, "term": match.group(1), "definition": match.group(2)})
        return terms


_CHANGE_LABELS = {
    "stated_total_change": "收支总额比上年增减",
    "stated_basic_change": "基本支出比上年增减",
    "stated_project_change": "项目支出比上年增减",
}


def _signed(direction: str, number: str | None, unit: str | None) -> Decimal:
    if direction in ("持平", "无变化") or number is None:
        return Decimal("0")
    value = _wan(number, unit)
    return -value if direction in DOWN else value


def _unit_named(name: str, units: list[dict], department: dict) -> dict | None:
    """The unit a table names: by its name, or the department's own unit for “…本级”/“…机关本级”."""
    name = name.strip()
    for unit in units:
        if name in (unit["name"], unit["short_name"]):
            return unit
    stem = re.sub(r"(机关)?本级$", "", name)
    if stem != name and stem in (department["name"], department.get("short_name")):
        return next((u for u in units if u["name"] == department["name"]), None)
    return None


def parse_blocks(blocks: list[Block], *, year: int | None = None) -> ParsedDisclosure:
    """The disclosure's data and gaps; ``UnreadableDisclosure`` when it is not the template at all."""
    reader = _Reader(blocks, year)
    reader.split()
    if len(reader.heads) < 3:
        raise UnreadableDisclosure("文档中找不到“一、部门职责及机构设置情况”等章节标题，不是部门预算公开文本。")
    department, budget = reader.header()
    reader.duties(department)
    units = reader.units()
    reader.overview(budget)
    reader.operating(budget)
    reader.three_public(budget)
    goals, subs, measures = reader.goals()
    department_tasks, department_indicators = reader.department_tables()
    projects = reader.projects(units, department)
    procurement = reader.procurement(budget, units, department)
    assets = reader.assets(budget)
    glossary = reader.glossary()
    budget["other_notes"] = "\n".join(p.text for p in reader.paragraphs(9))
    if department["code"] is None:
        reader.gap(6, reader.where(6), "政府采购表表头没有“部门编码+部门名称”，部门编码未读出。")
    data = {
        "department": department,
        "units": units,
        "budget": budget,
        "procurement_lines": procurement,
        "asset_lines": assets,
        "department_goals": goals,
        "sub_goals": subs,
        "guarantee_measures": measures,
        "department_tasks": department_tasks,
        "department_indicators": department_indicators,
        "projects": projects,
        "glossary": glossary,
    }
    return ParsedDisclosure(data=data, gaps=reader.gaps)
