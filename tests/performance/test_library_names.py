"""Name matching of the indicator library: spacing, full width, punctuation and aliases; the seed's and the demo's
names find their library entries."""

import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from performance.demo import SEED_FIXTURE
from performance.library.figures import spread
from performance.library.names import AliasIndex, name_key, split_aliases
from performance.library.seed import ENTRIES
from performance.load_data import TEMPLATES


def seed_index() -> AliasIndex:
    return AliasIndex({row[2]: split_aliases(row[3]) for row in ENTRIES})


def test_names_that_differ_only_in_spacing_width_or_punctuation_share_a_key():
    assert name_key("服务对象 满意度") == name_key("服务对象满意度")
    assert name_key("ＰＭ２．５达标率") == name_key("pm2.5达标率") == "pm25达标率"
    assert name_key("“优质服务率”") == name_key("优质服务率")
    assert name_key("（参与）人次") == name_key("参与人次")
    assert name_key("满意度") != name_key("满意率")


@given(st.text(alphabet="活动次数满意度 　\t（）", max_size=12))
def test_a_key_is_stable_and_has_no_white_space(name):
    key = name_key(name)
    assert name_key(key) == key
    assert not any(ch.isspace() for ch in key)


def test_an_alias_finds_its_entry_name_and_back():
    index = AliasIndex({"服务对象满意度": ["满意度", "服务对象满意度指标"]})
    assert index.key("满意度") == index.key("服务对象 满意度指标") == index.key("服务对象满意度")
    assert index.keys_for(index.key("满意度")) == {"服务对象满意度", "满意度", "服务对象满意度指标"}
    assert index.key("培训次数") == "培训次数"  # not in the library: its own key


def test_the_seeds_five_satisfaction_names_are_one_library_indicator():
    seed = json.loads(SEED_FIXTURE.read_text(encoding="utf-8"))
    index = seed_index()
    names = {i["name"] for p in seed["projects"] for i in p["indicators"] if i["level2"] == "服务对象满意度指标"}
    assert names == {"满意度", "服务对象满意度指标", "人民群众满意度", "受益人口满意度", "被帮扶对象满意度"}
    assert {index.key(name) for name in names} == {name_key("服务对象满意度")}


def test_every_seed_indicator_finds_a_library_entry_by_its_name_or_an_alias():
    seed = json.loads(SEED_FIXTURE.read_text(encoding="utf-8"))
    index = seed_index()
    library = {name_key(row[2]) for row in ENTRIES}
    missing = sorted(
        {i["name"] for p in seed["projects"] for i in p["indicators"] if index.key(i["name"]) not in library}
    )
    assert missing == []
    assert index.key("开展活动场次") == index.key("活动次数") == name_key("开展科普活动次数")
    assert index.key("全力督导各县区完善老科协组织建设") == name_key("指导县区组织建设数")


def test_the_demo_generators_names_match_the_library_where_they_mean_the_same():
    index = seed_index()
    names = {template[2] for template in TEMPLATES}
    assert index.key("举办科普活动次数") == name_key("开展科普活动次数")
    assert index.key("参与群众满意度") == index.key("服务对象满意度")
    library = {name_key(row[2]) for row in ENTRIES}
    matched = {name for name in names if index.key(name) in library}
    assert {"验收合格率", "项目完成时间", "项目总成本", "受益群众人数", "长效机制建设"} <= matched


def test_the_spread_counts_each_value_as_often_as_it_was_seen():
    assert spread([(Decimal("10"), 1), (Decimal("30"), 1), (Decimal("20"), 1)]) == spread(
        [(Decimal("20"), 1), (Decimal("10"), 1), (Decimal("30"), 1)]
    )
    odd = spread([(Decimal("10"), 2), (Decimal("40"), 1)])
    assert (odd.count, odd.low, odd.median, odd.high) == (3, Decimal("10"), Decimal("10"), Decimal("40"))
    even = spread([(Decimal("10"), 1), (Decimal("40"), 1)])
    assert even.median == Decimal("25")
    assert spread([]) is None


@pytest.mark.parametrize(
    "text", ["满意度、服务对象满意度指标", "满意度,服务对象满意度指标", "满意度\n服务对象满意度指标"]
)
def test_aliases_are_read_from_any_list_separator(text):
    assert split_aliases(text) == ["满意度", "服务对象满意度指标"]


@pytest.mark.django_db
@pytest.mark.stale_scores  # bulk writes around the app on purpose: no rescore
def test_every_way_an_indicator_is_written_keeps_its_name_key():
    from performance.models import Indicator
    from tests.factories import make_indicator

    saved = make_indicator(name="服务对象 满意度")
    assert Indicator.objects.get(pk=saved.pk).name_key == "服务对象满意度"
    saved.name = "参观 人数"
    Indicator.objects.bulk_update([saved], ["name"])
    assert Indicator.objects.get(pk=saved.pk).name_key == "参观人数"
    Indicator.objects.filter(pk=saved.pk).update(name="ＰＭ２．５")
    assert Indicator.objects.get(pk=saved.pk).name_key == "pm25"
    created = Indicator(project=saved.project, level1=saved.level1, level2=saved.level2, name=" 培训 次数 ", order=9)
    Indicator.objects.bulk_create([created])
    assert Indicator.objects.get(project=saved.project, order=9).name_key == "培训次数"
