"""Project names sort by pinyin: the key (``budgets.pinyin``), kept on every write, filled by the migration."""

import importlib

import pytest
from django.apps import apps

from budgets.models import Project
from budgets.pinyin import KEY_LENGTH, pinyin_key
from performance.scores import keep
from tests.factories import make_project, make_unit

fill_name_pinyin = importlib.import_module("budgets.migrations.0002_project_name_pinyin").fill_name_pinyin

# 长 and 重 alone read zhang3 / zhong4; in 长城 and 重庆 pypinyin reads them chang2 / chong2.
PINYIN_ORDER = ["安", "北", "长城", "重庆", "长", "重"]


def test_chinese_names_sort_by_pinyin_with_polyphones_read_in_context():
    assert sorted(["重", "长", "北", "重庆", "安", "长城"], key=pinyin_key) == PINYIN_ORDER
    assert pinyin_key("长城") == "chang2 cheng2"
    assert pinyin_key("长") == "zhang3"


def test_a_syllable_sorts_before_a_longer_one_that_starts_with_it():
    assert pinyin_key("阿") < pinyin_key("安")  # a1 < an1
    assert pinyin_key("科") < pinyin_key("科普")


def test_digits_and_latin_letters_keep_their_place_beside_pinyin():
    assert pinyin_key("2021年科普") == "2021 nian2 ke1 pu3"
    assert sorted(["北京", "ABC项目", "2021年"], key=pinyin_key) == ["2021年", "ABC项目", "北京"]


def test_a_very_long_name_gets_a_key_that_fits_its_column():
    assert len(pinyin_key("张" * 200)) == KEY_LENGTH


@pytest.mark.django_db
def test_saving_a_project_keeps_its_pinyin_key_and_a_rename_updates_it():
    project = make_project(name="长城保护")
    assert Project.objects.get(pk=project.pk).name_pinyin == "chang2 cheng2 bao3 hu4"
    project.name = "安全生产"
    project.save(update_fields=["name"])
    assert Project.objects.get(pk=project.pk).name_pinyin == "an1 quan2 sheng1 chan3"


@pytest.mark.django_db
def test_bulk_writes_keep_the_pinyin_key_as_a_save_does():
    unit = make_unit()
    created = Project.objects.bulk_create([Project(unit=unit, year=2021, name="北京项目")])
    keep.changed([created[0].pk])  # a bulk write names its projects for the stored scores
    assert Project.objects.get(pk=created[0].pk).name_pinyin == "bei3 jing1 xiang4 mu4"
    project = Project.objects.get(pk=created[0].pk)
    project.name = "重庆项目"
    Project.objects.bulk_update([project], ["name"])
    assert Project.objects.get(pk=project.pk).name_pinyin == "chong2 qing4 xiang4 mu4"
    Project.objects.filter(pk=project.pk).update(name="安徽项目")
    assert Project.objects.get(pk=project.pk).name_pinyin == "an1 hui1 xiang4 mu4"


@pytest.mark.django_db
def test_the_migration_fills_the_key_of_projects_stored_before_it():
    project = make_project(name="北京项目")
    Project.objects.filter(pk=project.pk).update(name_pinyin="")
    fill_name_pinyin(apps, None)
    assert Project.objects.get(pk=project.pk).name_pinyin == "bei3 jing1 xiang4 mu4"


@pytest.mark.django_db
def test_the_database_orders_projects_by_the_key():
    unit = make_unit()
    for name in reversed(PINYIN_ORDER):
        make_project(unit=unit, name=name)
    assert list(Project.objects.order_by("name_pinyin", "name").values_list("name", flat=True)) == PINYIN_ORDER
