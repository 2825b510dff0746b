"""The English translation: complete, compiled, up to date with the code, and shown once a user picks English.

The .po file is read with a small parser (polib is not a dependency); the code's messages are found the
way makemessages finds them (Django's templatize for templates, the gettext calls for Python), so these
tests need no gettext tools. Refresh as the .po file's header says, then translate what is new.
"""

import ast
import gettext
import io
import os
import re
import tokenize
from decimal import Decimal
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.translation.template import templatize

from performance.models import ActualResult
from tests.factories import (
    make_department,
    make_evaluation,
    make_indicator,
    make_project,
    make_unit,
    make_user_with_access,
)

LOCALE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PO_FILE = LOCALE / "django.po"
MO_FILE = LOCALE / "django.mo"

# The folders makemessages is told to ignore (see the .po header), hidden ones, and ones that hold no source.
IGNORED_DIRS = {".venv", "staticfiles", "bench", "tests", "locale", "node_modules", "media", "backups"}

# What makemessages passes to xgettext as keywords: name → (context argument, message arguments).
KEYWORDS = {
    "_": (None, (0,)),
    "gettext": (None, (0,)),
    "gettext_lazy": (None, (0,)),
    "gettext_noop": (None, (0,)),
    "ngettext": (None, (0, 1)),
    "ngettext_lazy": (None, (0, 1)),
    "pgettext": (0, (1,)),
    "pgettext_lazy": (0, (1,)),
    "npgettext": (0, (1, 2)),
    "npgettext_lazy": (0, (1, 2)),
}

PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")
CJK_RUN = re.compile(r"[\u3400-\u9fff]+")


# --- reading the .po file --------------------------------------------------------------------------


def _unquote(text: str) -> str:
    return ast.literal_eval(text)  # a PO string is a double-quoted C string: the same escapes


def read_po(path: Path) -> list[dict]:
    """The live (not obsolete) entries: msgctxt, msgid, msgid_plural, msgstr ({index: text}), flags."""
    entries, entry, field = [], None, None

    def finish():
        if entry is not None and not entry["obsolete"]:
            entries.append(entry)

    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            finish()
            entry, field = None, None
            continue
        if entry is None:
            entry = {
                "msgctxt": None,
                "msgid": "",
                "msgid_plural": None,
                "msgstr": {},
                "flags": set(),
                "obsolete": False,
            }
        if line.startswith("#~"):
            entry["obsolete"] = True
        elif line.startswith("#,"):
            entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = _unquote(line)
            if isinstance(field, int):
                entry["msgstr"][field] += value
            else:
                entry[field] += value
        else:
            keyword, text = line.split(" ", 1)
            if keyword.startswith("msgstr["):
                field = int(keyword[7:-1])
                entry["msgstr"][field] = _unquote(text)
            elif keyword == "msgstr":
                field = 0
                entry["msgstr"][0] = _unquote(text)
            else:
                field = keyword
                entry[field] = _unquote(text)
    return [e for e in entries if e["msgid"]]  # the header has an empty msgid


def _name(entry: dict) -> str:
    return entry["msgid"] if entry["msgctxt"] is None else f"{entry['msgctxt']}|{entry['msgid']}"


@pytest.fixture(scope="module")
def po_entries() -> list[dict]:
    return read_po(PO_FILE)


# --- the messages in the code ----------------------------------------------------------------------


def _source_files(suffixes: tuple[str, ...]):
    for folder, subfolders, files in os.walk(settings.BASE_DIR):
        subfolders[:] = [name for name in subfolders if name not in IGNORED_DIRS and not name.startswith(".")]
        yield from (Path(folder, name) for name in sorted(files) if Path(name).suffix in suffixes)


def _python_messages(source: str) -> set[tuple]:
    messages = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name not in KEYWORDS:
            continue
        context, positions = KEYWORDS[name]
        args = node.args
        wanted = [*positions, *([context] if context is not None else [])]
        if len(args) <= max(wanted) or not all(
            isinstance(args[i], ast.Constant) and isinstance(args[i].value, str) for i in wanted
        ):
            continue  # not a literal: xgettext cannot extract it either
        messages.add((args[context].value if context is not None else None, args[positions[0]].value))
    return messages


def _template_messages(source: str) -> set[tuple]:
    """Django's templatize turns the template into gettext() calls, as makemessages feeds xgettext."""
    messages, call, strings = set(), None, []
    # One call per line; the blanked-out text around it is letters only, so drop its indentation.
    text = "\n".join(line.strip() for line in templatize(source).splitlines())
    tokens = tokenize.generate_tokens(io.StringIO(text).readline)
    for token in tokens:
        if call is None:
            if token.type == tokenize.NAME and token.string in KEYWORDS:
                call, strings = token.string, []
        elif token.type == tokenize.STRING:
            strings.append(ast.literal_eval(token.string))
        elif token.string == ")":
            context, positions = KEYWORDS[call]
            messages.add((strings[context] if context is not None else None, strings[positions[0]]))
            call = None
    return messages


@pytest.fixture(scope="module")
def code_messages() -> set[tuple]:
    messages = set()
    for path in _source_files((".py",)):
        messages |= _python_messages(path.read_text(encoding="utf-8"))
    for path in _source_files((".html", ".txt")):
        source = path.read_text(encoding="utf-8")
        if "{%" in source:
            messages |= _template_messages(source)
    return messages


# --- the catalogue ---------------------------------------------------------------------------------


def test_every_message_has_an_english_translation(po_entries):
    empty = [_name(e) for e in po_entries if not e["msgstr"] or not all(e["msgstr"].values())]
    assert not empty, f"{len(empty)} messages without English (translate them in {PO_FILE.name}): {empty[:20]}"


def test_no_translation_is_left_fuzzy(po_entries):
    fuzzy = [_name(e) for e in po_entries if "fuzzy" in e["flags"]]
    assert not fuzzy, f"fuzzy entries are guesses by msgmerge; check and unflag them: {fuzzy[:20]}"


def test_plural_messages_have_both_english_forms(po_entries):
    plurals = [e for e in po_entries if e["msgid_plural"] is not None]
    assert plurals
    assert [_name(e) for e in plurals if sorted(e["msgstr"]) != [0, 1]] == []


def test_translations_keep_the_placeholders(po_entries):
    wrong = []
    for entry in po_entries:
        if "python-format" not in entry["flags"]:
            continue
        sources = [entry["msgid"], entry["msgid_plural"] or entry["msgid"]]
        for index, text in entry["msgstr"].items():
            if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(sources[min(index, 1)])):
                wrong.append((entry["msgid"], text))
    assert wrong == []


def test_the_compiled_catalogue_matches_the_po_file(po_entries):
    """django.mo is committed: run compilemessages after changing the .po file."""
    with MO_FILE.open("rb") as file:
        catalogue = gettext.GNUTranslations(file)
    stale = []
    for entry in po_entries:
        if entry["msgid_plural"] is not None:
            shown = [catalogue.ngettext(entry["msgid"], entry["msgid_plural"], n) for n in (1, 2)]
            expected = [entry["msgstr"][0], entry["msgstr"][1]]
        elif entry["msgctxt"] is not None:
            shown, expected = catalogue.pgettext(entry["msgctxt"], entry["msgid"]), entry["msgstr"][0]
        else:
            shown, expected = catalogue.gettext(entry["msgid"]), entry["msgstr"][0]
        if shown != expected:
            stale.append(_name(entry))
    assert stale == [], f"django.mo is out of date for: {stale[:20]}"


def test_every_message_in_the_code_is_in_the_po_file(po_entries, code_messages):
    """A string marked for translation after the last makemessages run would show in Chinese."""
    assert len(code_messages) > 500  # the scan found the app's messages
    known = {(e["msgctxt"], e["msgid"]) for e in po_entries}
    missing = sorted(message for _context, message in code_messages - known)
    assert missing == [], f"run makemessages (see the .po header) and translate: {missing[:20]}"


# --- the pages in English --------------------------------------------------------------------------


def _in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # what the language switch (set_language) sets


def _text(fragment: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _title(html: str) -> str:
    return _text(re.search(r"<title>(.*?)</title>", html, re.S).group(1))


def _chinese(html: str) -> set[str]:
    """The runs of Chinese left on a page: the brand mark 绩 and the language menu's 简体中文 are meant to stay."""
    return set(CJK_RUN.findall(_text(html))) - {"绩", "简体中文"}


def _headings(html: str) -> list[str]:
    return [_text(heading) for heading in re.findall(r"<h[1-6][^>]*>(.*?)</h[1-6]>", html, re.S)]


@pytest.mark.django_db
def test_the_login_page_is_in_english_once_chosen(client):
    _in_english(client)
    html = client.get("/accounts/login/").content.decode()
    assert 'lang="en"' in html
    assert _headings(html)[0] == "Log in"
    assert "Username" in html
    assert "Password" in html
    assert _chinese(html) == set()


@pytest.mark.django_db
def test_the_job_list_is_in_english_once_chosen(client):
    unit = make_unit(name="Science Museum", department=make_department(name="Science Association"))
    make_project(unit=unit, name="Science outreach")  # a year to export, so the export form shows
    client.force_login(make_user_with_access(role="staff", unit=unit))
    _in_english(client)
    html = client.get("/jobs/").content.decode()
    assert 'lang="en"' in html
    assert _title(html) == "Import & export · Jixiao"
    assert _headings(html) == ["Import & export", "Export the performance workbook", "Import a performance workbook"]
    assert "My background jobs" in html
    assert "No background jobs yet." in html
    assert _chinese(html) == {"项目", "指标"}  # the flat template's sheet names, which stay Chinese (SPEC 11)


@pytest.mark.django_db
def test_the_project_list_is_in_english_once_chosen(client):
    unit = make_unit(name="Science Museum", department=make_department(name="Science Association"))
    make_evaluation(project=make_project(unit=unit, name="Science outreach"))
    client.force_login(make_user_with_access(role="staff", unit=unit))
    _in_english(client)
    html = client.get("/projects/").content.decode()
    assert 'lang="en"' in html
    assert _headings(html)[0] == "Project self-evaluations"
    for label in ("Budget unit", "Project name", "Status", "Grade", "Budget execution rate", "Total score"):
        assert label in html
    assert "1 project" in html
    assert "Draft" in html
    assert _chinese(html) == set()


@pytest.mark.django_db
def test_grades_are_named_in_english_on_the_list_page_and_dashboard(client):
    """The grades are stored in Chinese (the official sheets say 优); the English pages name them."""
    unit = make_unit(name="Science Museum", department=make_department(name="Science Association"))
    project = make_project(
        unit=unit, name="Science outreach", full_year_total=Decimal("100"), executed_total=Decimal("100")
    )
    indicator = make_indicator(project=project, name="Lectures", target="12次")
    ActualResult.objects.create(indicator=indicator, actual="12次")  # 100.00: 优
    make_project(unit=unit, name="Not begun")
    client.force_login(make_user_with_access(role="staff", unit=unit))
    _in_english(client)

    listed = _text(client.get("/projects/").content.decode())
    assert "Science outreach Draft Draft Excellent 100.00% 100.00" in listed  # goals, then self-evaluation
    assert "Not begun Draft Draft Not filled in" in listed
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert "Total score 100.00 100.00 Grade: Excellent" in _text(page)
    assert "优" not in _text(page)
    severities = re.findall(r'data-testid="severity">([^<]*)<', page)
    assert severities == ["Error", "Warning", "Warning"]  # the target review's findings on this project
    dashboard = _text(client.get("/dashboard/?year=2021").content.decode())
    assert "Excellent Good Fair Poor 1 0 0 0" in dashboard


@pytest.mark.django_db
def test_the_pages_stay_chinese_without_the_choice(client):
    client.force_login(make_user_with_access(role="staff"))
    html = client.get("/jobs/").content.decode()
    assert 'lang="zh-hans"' in html
    assert _headings(html)[0] == "导入导出"
