"""Finance's pages for rule sets (SPEC section 16): the list with each department's rules of a year and the
history of changes, a rule set's page, a new set or version, JSON export and import, and changing a
department's rules of a year (a preview first, then the change). Finance (and superusers) only."""

from __future__ import annotations

import json
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from budgets.models import Department, Project
from budgets.permissions import is_finance_bureau

from .forms import RuleChoiceForm, RuleImportForm, RuleSetForm, rule_labels
from .models import RuleChoice, RuleSet
from .services import (
    choose_rules,
    current_version,
    export_version,
    fallback_version,
    import_version,
    preview_choice,
    save_version,
)
from .value import Rules

HISTORY_SHOWN = 30


def finance_required(view):
    """Finance bureau staff and superusers only; anyone else is refused (403), the anonymous sent to log in."""

    @login_required
    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not is_finance_bureau(request.user):
            raise PermissionDenied(_("只有财政部门可以管理评分规则。"))
        return view(request, *args, **kwargs)

    return guarded


def _year(request) -> int:
    try:
        return int(request.GET.get("year", ""))
    except ValueError:
        return Project.objects.aggregate(year=Max("year"))["year"] or 2021


@finance_required
def rules_list(request):
    """Every rule set; the rules each department uses in a year; the history of changes."""
    year = _year(request)
    choices = {c.department_id: c for c in RuleChoice.objects.filter(year=year).select_related("version__rule_set")}
    fallback = fallback_version()
    departments = [
        {
            "department": d,
            "choice": choices.get(d.pk),
            "version": choices[d.pk].version if d.pk in choices else fallback,
        }
        for d in Department.objects.order_by("code")
    ]
    history = RuleChoice.history.select_related("department", "version__rule_set", "chosen_by").order_by(
        "-history_date", "-history_id"
    )[:HISTORY_SHOWN]
    return render(
        request,
        "performance/rules_list.html",
        {
            "rule_sets": RuleSet.objects.annotate(latest_number=Max("versions__number")).order_by("id"),
            "fallback": fallback,
            "year": year,
            "departments": departments,
            "history": history,
        },
    )


@finance_required
def rules_detail(request, pk: int):
    """A rule set: its description and source, its versions, and one version's rules laid out."""
    rule_set = get_object_or_404(RuleSet, pk=pk)
    versions = list(rule_set.versions.order_by("-number"))
    number = request.GET.get("version", "")
    version = next((v for v in versions if str(v.number) == number), versions[0] if versions else None)
    uses = (
        RuleChoice.objects.filter(version__rule_set=rule_set).select_related("department", "version") if version else []
    )
    return render(
        request,
        "performance/rules_detail.html",
        {
            "rule_set": rule_set,
            "versions": versions,
            "version": version,
            "rules": version.rules() if version else None,
            "labels": rule_labels(version.rules()) if version else {},
            "uses": uses,
        },
    )


def _save(request, form: RuleSetForm, rule_set: RuleSet | None):
    if not form.is_valid():
        return None
    try:
        return save_version(
            content=form.content(),
            by=request.user,
            rule_set=rule_set,
            name=form.cleaned_data.get("name", ""),
            description=form.cleaned_data["description"],
            source=form.cleaned_data["source"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        for message in error.messages:
            form.add_error(None, message)
        return None


@finance_required
def rules_create(request):
    """A new rule set, starting from 10号 (or from the set given by ``?from=``)."""
    start = (
        RuleSet.objects.filter(pk=request.GET.get("from") or 0).first()
        if request.GET.get("from", "").isdigit()
        else None
    )
    latest = start.latest() if start else None
    form = RuleSetForm(request.POST or None, initial=RuleSetForm.initial_for(latest.rules() if latest else Rules()))
    if request.method == "POST":
        version = _save(request, form, None)
        if version is not None:
            messages.success(request, _("已创建评分规则“%(name)s”。") % {"name": version.rule_set.name})
            return redirect("performance:rules-detail", pk=version.rule_set_id)
        messages.error(request, _("未保存：请按提示修改。"))
    return render(request, "performance/rules_form.html", {"form": form, "rule_set": None})


@finance_required
def rules_edit(request, pk: int):
    """A new version of a rule set, starting from its latest; the versions before it stay as they were."""
    rule_set = get_object_or_404(RuleSet, pk=pk)
    latest = rule_set.latest()
    initial = RuleSetForm.initial_for(
        latest.rules() if latest else Rules(), description=rule_set.description, source=rule_set.source
    )
    form = RuleSetForm(request.POST or None, initial=initial, naming=False)
    if request.method == "POST":
        version = _save(request, form, rule_set)
        if version is not None:
            messages.success(
                request,
                _(
                    "已保存为第 %(number)s 版。已选用旧版本的部门不变；"
                    "如需改用新版本，请在“变更部门评分规则”中预览后确认。"
                )
                % {"number": version.number},
            )
            return redirect(reverse("performance:rules-detail", args=[rule_set.pk]) + f"?version={version.number}")
        messages.error(request, _("未保存：请按提示修改。"))
    return render(request, "performance/rules_form.html", {"form": form, "rule_set": rule_set})


@finance_required
def rules_export(request, pk: int):
    """One version of a rule set as JSON (the latest, or ``?version=N``)."""
    rule_set = get_object_or_404(RuleSet, pk=pk)
    number = request.GET.get("version", "")
    versions = rule_set.versions.all()
    version = versions.filter(number=number).first() if number.isdigit() else versions.order_by("-number").first()
    if version is None:
        raise Http404(_("该评分规则没有此版本。"))
    data = json.dumps(export_version(version), ensure_ascii=False, indent=2)
    response = HttpResponse(data, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rules-{rule_set.code}-v{version.number}.json"'
    return response


@finance_required
def rules_import(request):
    """A rule set from a JSON file: a new version of the set of that name, or a new set; refused whole."""
    form = RuleImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = import_version(data=form.cleaned_data["file"].read(), by=request.user)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                _("已导入“%(name)s”第 %(number)s 版。") % {"name": version.rule_set.name, "number": version.number},
            )
            return redirect(
                reverse("performance:rules-detail", args=[version.rule_set_id]) + f"?version={version.number}"
            )
    return render(request, "performance/rules_import.html", {"form": form})


@finance_required
def rules_choose(request):
    """Change a department's rules of a year: the form, then a preview of every project's score and grade
    (old → new), then the change on confirmation."""
    initial = {}
    if request.method == "GET":
        department = Department.objects.filter(code=request.GET.get("department", "")).first()
        year = _year(request)
        initial = {"department": department, "year": year}
        if department is not None:
            initial["version"] = current_version(department, year)
    form = RuleChoiceForm(request.POST or None, initial=initial)
    if request.method != "POST" or not form.is_valid():
        return render(request, "performance/rules_choose.html", {"form": form})
    department, year = form.cleaned_data["department"], form.cleaned_data["year"]
    version, reason = form.cleaned_data["version"], form.cleaned_data["reason"]
    current = current_version(department, year)
    if request.POST.get("action") == "confirm":
        try:
            changed = choose_rules(department=department, year=year, version=version, by=request.user, reason=reason)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(department)s %(year)s 年度改按“%(rules)s”计分：%(n)s 个项目的得分已重算。")
                % {"department": department.name, "year": year, "rules": version.rules().label(), "n": changed},
            )
            return redirect(reverse("performance:rules-list") + f"?year={year}")
    changes = preview_choice(department=department, year=year, version=version)
    return render(
        request,
        "performance/rules_preview.html",
        {
            "form": form,
            "department": department,
            "year": year,
            "version": version,
            "current": current,
            "changes": changes,
            "changing": [c for c in changes if c.changes],
            "kept": [c for c in changes if c.kept],
            "same": current.pk == version.pk,
        },
    )
