"""The upload guard's limits are settings: the app's own workbook just over one is refused with the setting
named, and one at the limit imports back as it was. Small data and small limits (the defaults are sized for a
province's 600,000 indicator rows; see config/settings.py)."""

import zipfile
from io import BytesIO
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from budgets.models import Department, Project, Unit
from performance.exports import evaluations_document
from performance.interchange.export import write_flat_workbook
from performance.interchange.importer import import_workbook
from performance.interchange.report import ImportErrors
from performance.load_data import generate_load_data
from performance.models import ActualResult, Evaluation, Indicator

SAMPLE = Path(__file__).parent / "data" / "seed-2021-731001-sample-actuals.xlsx"
MIB = 1024 * 1024

pytestmark = pytest.mark.django_db


def exported() -> bytes:
    buffer = BytesIO()
    write_flat_workbook(Project.objects.all(), buffer)
    return buffer.getvalue()


def empty_the_database() -> None:
    Project.objects.all().delete()
    Unit.objects.all().delete()
    Department.objects.all().delete()


def unpacked_size(data: bytes) -> int:
    with zipfile.ZipFile(BytesIO(data)) as archive:
        return sum(info.file_size for info in archive.infolist())


@pytest.fixture
def sample_export() -> tuple[bytes, dict]:
    """The sample imported, then exported: the file and what the database held."""
    import_workbook(file=SAMPLE)
    return exported(), evaluations_document(Project.objects.all())


def test_the_apps_export_one_row_over_the_row_limit_is_refused_naming_the_setting(sample_export, settings):
    data, before = sample_export
    rows = Indicator.objects.count() + 1  # the 指标 sheet: a title row and one row an indicator
    settings.JIXIAO_UPLOAD_MAX_SHEET_ROWS = rows - 1

    with pytest.raises(ImportErrors) as refused:
        import_workbook(file=BytesIO(data))

    [message] = refused.value.messages
    assert f"工作表“指标”超过 {rows - 1} 行的上限" in message
    assert "请系统管理员调高设置 JIXIAO_UPLOAD_MAX_SHEET_ROWS" in message
    assert evaluations_document(Project.objects.all()) == before


def test_the_apps_export_at_the_row_limit_imports_back_as_it_was(sample_export, settings):
    data, before = sample_export
    settings.JIXIAO_UPLOAD_MAX_SHEET_ROWS = Indicator.objects.count() + 1
    empty_the_database()

    import_workbook(file=BytesIO(data))

    assert evaluations_document(Project.objects.all()) == before
    assert len(before["projects"]) == 4


def largest_area(data: bytes) -> tuple[str, int]:
    """The sheet with the most rows x columns, and that number."""
    book = openpyxl.load_workbook(BytesIO(data))
    areas = {sheet.title: sheet.max_row * sheet.max_column for sheet in book.worksheets}
    title = max(areas, key=areas.get)
    return title, areas[title]


def test_the_apps_export_one_cell_over_the_area_limit_is_refused_naming_the_setting(sample_export, settings):
    data, before = sample_export
    title, cells = largest_area(data)
    settings.JIXIAO_UPLOAD_MAX_SHEET_CELLS = cells - 1

    with pytest.raises(ImportErrors) as refused:
        import_workbook(file=BytesIO(data))

    [message] = refused.value.messages
    assert f"工作表“{title}”的范围" in message
    assert f"超过 {cells - 1} 个单元格的上限" in message
    assert "请系统管理员调高设置 JIXIAO_UPLOAD_MAX_SHEET_CELLS" in message
    assert evaluations_document(Project.objects.all()) == before


def test_the_apps_export_at_the_area_limit_imports_back_as_it_was(sample_export, settings):
    data, before = sample_export
    settings.JIXIAO_UPLOAD_MAX_SHEET_CELLS = largest_area(data)[1]
    empty_the_database()

    import_workbook(file=BytesIO(data))

    assert evaluations_document(Project.objects.all()) == before


@pytest.fixture
def export_of_a_little_over_one_mib() -> tuple[bytes, dict]:
    """120 generated projects of 12 indicators, exported: a file that unpacks to between 1 and 2 MiB."""
    generate_load_data(units=6, projects_per_unit=20, indicators_per_project=12, department_code="812")
    # The flat workbook carries the targets' states, not a self-evaluation's (SPEC section 11): in drafts,
    # every value the database holds is in the file.
    Evaluation.objects.update(status=Evaluation.Status.DRAFT)
    data = exported()
    assert MIB < unpacked_size(data) < 2 * MIB
    return data, evaluations_document(Project.objects.all())


def test_the_apps_export_over_the_unpacked_limit_is_refused_naming_the_setting(
    export_of_a_little_over_one_mib, settings
):
    data, before = export_of_a_little_over_one_mib
    settings.JIXIAO_UPLOAD_MAX_UNPACKED_MB = 1

    with pytest.raises(ImportErrors) as refused:
        import_workbook(file=BytesIO(data))

    [message] = refused.value.messages
    assert "解压后超过 1 MB 的上限；如确需导入，请系统管理员调高设置 JIXIAO_UPLOAD_MAX_UNPACKED_MB。" in message
    assert evaluations_document(Project.objects.all()) == before


def test_the_apps_export_under_the_unpacked_limit_imports_back_as_it_was(export_of_a_little_over_one_mib, settings):
    data, before = export_of_a_little_over_one_mib
    settings.JIXIAO_UPLOAD_MAX_UNPACKED_MB = 2
    empty_the_database()

    report = import_workbook(file=BytesIO(data))

    assert evaluations_document(Project.objects.all()) == before
    assert report.counts["绩效指标"]["created"] == 1440
    assert ActualResult.objects.count() == 1440


def test_the_command_prints_the_setting_to_raise_and_imports_nothing(sample_export, settings, tmp_path, capsys):
    data, _before = sample_export
    empty_the_database()
    path = tmp_path / "省级.xlsx"
    path.write_bytes(data)
    settings.JIXIAO_UPLOAD_MAX_SHEET_ROWS = 3

    with pytest.raises(CommandError, match="未导入任何数据"):
        call_command("import_workbook", str(path))

    assert "JIXIAO_UPLOAD_MAX_SHEET_ROWS" in capsys.readouterr().err
    assert not Project.objects.exists()
