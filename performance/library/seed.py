"""What the library starts with (its migration loads it): the seed disclosure's 36 indicator rows cleaned by the
target review (SPEC section 8), and one 共性 indicator for each 二级 of SPEC section 3's standard tree.

Cleaning, row by row: counts written under 质量指标 moved to 数量指标 (开展活动次数 20次, 参与人次 2000人, 30位);
slogans turned into something measurable (提高科普意识 100% -> 科普知识知晓率; 提升市民科学素养 -> 科普信息员人数;
提高种植技术 -> 种植技术培训合格率; 优质服务率 效果显著 -> ≥95%); 时效 rows given a date; the 成本 row that
counted people (受益人数 4万人) left out; the same indicator written five ways (满意度, 服务对象满意度指标,
人民群众满意度, 受益人口满意度, 被帮扶对象满意度) kept once with the others as aliases. ``{year}`` in an example
target is the project's year when a declaration fills a row from it.
"""

from __future__ import annotations

# name: keywords (a project is of a category when its name holds one)
CATEGORIES = [
    ("科普活动", "科普、科学素质、大篷车、展览、科技馆、科技教育"),
    ("培训", "培训、扶贫、人才"),
    ("学会服务", "学会、老科协、老科学技术工作者、学术"),
    ("基建", "建设、工程、改造、维修"),
    ("设备购置", "购置、设备、采购、信息化"),
    ("补助", "补助、补贴、奖励、资助"),
]

# (一级, 二级, 三级, aliases, description, kind, unit, example target, basis, common, categories)
ENTRIES = [
    # 共性: one for each 二级 of the standard tree (SPEC section 3)
    ("产出指标", "数量指标", "任务完成率", "", "按计划完成的任务数占计划任务数的比例", "at_least", "%", "100%",
     "计划标准", True, ""),
    ("产出指标", "质量指标", "验收合格率", "", "通过验收的成果（活动、工程、设备）占全部成果的比例", "at_least", "%",
     "≥95%", "行业标准", True, ""),
    ("产出指标", "时效指标", "项目完成时间", "完成时间、完工时间、活动开展时间", "项目全部工作完成的时间", "date", "",
     "{year}年12月31日前", "计划标准", True, ""),
    ("产出指标", "成本指标", "项目总成本", "总成本、不超过预算控制额", "项目实际支出，不超过批复的预算", "at_most",
     "万元", "", "计划标准", True, ""),
    ("效益指标", "经济效益指标", "节约资金额", "", "通过集中采购、竞争性谈判等节约的资金", "at_least", "万元", "",
     "计划标准", True, ""),
    ("效益指标", "社会效益指标", "受益群众人数", "受益人数", "项目直接服务的群众人数", "at_least", "人", "",
     "历史标准", True, ""),
    ("效益指标", "生态效益指标", "环境污染事件次数", "", "项目实施中发生的环境污染事件次数", "at_most", "次",
     "≤0次", "行业标准", True, ""),
    ("效益指标", "可持续影响指标", "长效机制建设", "", "建立并执行的管理制度、工作机制", "qualitative", "",
     "建立并执行管理制度", "其他", True, ""),
    ("满意度指标", "服务对象满意度指标", "服务对象满意度",
     "满意度、服务对象满意度指标、人民群众满意度、受益人口满意度、被帮扶对象满意度、参与群众满意度",
     "问卷调查中表示满意和比较满意的服务对象比例", "at_least", "%", "≥90%", "历史标准", True, ""),
    # 个性: the seed's rows, cleaned
    ("产出指标", "数量指标", "开展科普活动次数", "开展活动次数、开展活动场次、活动次数、举办科普活动次数",
     "全年举办科普活动（讲座、展览、竞赛）的次数", "at_least", "次", "≥12次", "计划标准", False, "科普活动、学会服务"),
    ("产出指标", "数量指标", "参与活动人次", "参与人次", "参加各类科普活动的人次", "at_least", "人次",
     "≥2000人次", "历史标准", False, "科普活动"),
    ("产出指标", "数量指标", "参观人数", "累计观众人数", "展馆或大篷车接待参观的人数（以门票或登记为准）",
     "at_least", "人", "≥40000人", "历史标准", False, "科普活动"),
    ("产出指标", "数量指标", "场馆流通人次", "公共文化场馆流通人次", "场馆全年接待的人次", "at_least", "人次",
     "≥30000人次", "历史标准", False, "科普活动"),
    ("产出指标", "数量指标", "培训次数", "开展培训次数", "开展培训的期数", "at_least", "次", "≥5次", "计划标准",
     False, "培训、补助"),
    ("产出指标", "数量指标", "入库专家人数", "参与建立省老科协智库专入库", "聘请进入智库的老专家人数",
     "at_least", "人", "≥30人", "计划标准", False, "学会服务"),
    ("产出指标", "数量指标", "指导县区组织建设数", "全力督导各县区完善老科协组织建设",
     "指导完成组织建设的县区个数", "at_least", "个", "", "计划标准", False, "学会服务"),
    ("产出指标", "数量指标", "口述历史采集篇数", "开展老科技人员口述历史活动", "采集整理的老科技人员口述历史篇数",
     "at_least", "篇", "≥15篇", "计划标准", False, "学会服务"),
    ("产出指标", "质量指标", "学生参与率", "参与率、活动参加率", "活动覆盖学校的学生中参加活动的比例",
     "at_least", "%", "≥90%", "历史标准", False, "科普活动、培训"),
    ("产出指标", "时效指标", "开馆天数", "服务的完成度", "全年对公众开放的天数", "at_least", "天", "≥200天",
     "计划标准", False, "科普活动"),
    ("产出指标", "时效指标", "按期完成率", "", "按计划时间完成的工作占全部工作的比例", "at_least", "%", "100%",
     "计划标准", False, "科普活动、培训、学会服务、基建"),
    ("效益指标", "社会效益指标", "科普知识知晓率", "提高科普意识", "问卷调查中答对科普知识题的受访者比例",
     "at_least", "%", "≥80%", "行业标准", False, "科普活动"),
    ("效益指标", "社会效益指标", "优质服务率", "为参观人员提供优质服务", "服务评价为优质的服务对象比例",
     "at_least", "%", "≥95%", "历史标准", False, "科普活动"),
    ("效益指标", "社会效益指标", "种植技术培训合格率", "提高种植技术", "参训农民考核合格的比例", "at_least", "%",
     "≥90%", "行业标准", False, "培训、补助"),
    ("效益指标", "可持续影响指标", "科普信息员人数", "提升市民科学素养", "注册并活跃的科普中国信息员人数",
     "at_least", "人", "", "历史标准", False, "科普活动"),
    ("产出指标", "质量指标", "设备验收合格率", "", "到货验收合格的设备占采购设备的比例", "at_least", "%", "100%",
     "行业标准", False, "设备购置"),
    ("产出指标", "质量指标", "工程验收合格率", "", "竣工验收合格的工程占全部工程的比例", "at_least", "%", "100%",
     "行业标准", False, "基建"),
    ("产出指标", "数量指标", "补助发放人数", "", "按标准发放补助的人数", "equal", "人", "", "计划标准", False,
     "补助"),
]  # fmt: skip


def load_seed(*, Category, Entry, Level, Alias=None) -> int:
    """Write the categories and entries (models given, so the migration passes its historical ones); entries
    already there (same 二级 and name) are left as they are. The number of entries created."""
    from .names import name_key, split_aliases

    categories = {}
    for order, (name, keywords) in enumerate(CATEGORIES, start=1):
        categories[name], _created = Category.objects.get_or_create(
            name=name, defaults={"keywords": keywords, "order": order}
        )
    level1 = {c.name: c for c in Level.objects.filter(level=1)}
    level2 = {(c.parent_id, c.name): c for c in Level.objects.filter(level=2)}
    created = 0
    for order, row in enumerate(ENTRIES, start=1):
        l1, l2, name, aliases, description, kind, unit, example, basis, common, fits = row
        parent = level1[l1]
        child = level2[(parent.pk, l2)]
        if Entry.objects.filter(level2=child, name_key=name_key(name)).exists():
            continue
        entry = Entry.objects.create(
            level1=parent,
            level2=child,
            name=name,
            name_key=name_key(name),
            aliases="、".join(split_aliases(aliases)),
            description=description,
            target_kind=kind,
            unit=unit,
            example_target=example,
            basis=basis,
            common=common,
            source="seed",
            order=order,
        )
        entry.categories.set([categories[c] for c in split_aliases(fits)])
        created += 1
    return created
