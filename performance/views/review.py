"""Target review report (目标审核, SPEC section 8): a department's year, findings by project."""

from collections import Counter

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from budgets.models import Department
from budgets.permissions import departments_for, projects_for

from ..review import RULES, RULES_BY_CODE, SEVERITY_ORDER, Severity, enabled_rules, review_projects


class ReviewFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("年度"), coerce=int, required=False)
    department = forms.ModelChoiceField(
        label=_("部门"), queryset=Department.objects.none(), to_field_name="code", required=False
    )
    severity = forms.ChoiceField(label=_("严重程度"), choices=[("", _("全部")), *Severity.choices], required=False)

    def __init__(self, data, *, user):
        super().__init__(data)
        self.years = sorted(set(projects_for(user).values_list("year", flat=True)), reverse=True)
        self.fields["year"].choices = [(year, year) for year in self.years]
        self.fields["department"].queryset = departments_for(user).order_by("code")
        self.fields["department"].empty_label = None

    def chosen(self) -> tuple[int | None, Department | None, str]:
        """The year (default the latest), the department (default the first visible) and the severity."""
        data = self.cleaned_data if self.is_valid() else {}
        year = data.get("year") or (self.years[0] if self.years else None)
        department = data.get("department") or self.fields["department"].queryset.first()
        return year, department, data.get("severity") or ""


@login_required
def review_report(request):
    """A department's year: every project's target-review findings, with counts by severity and rule."""
    form = ReviewFilterForm(request.GET or None, user=request.user)
    year, department, severity = form.chosen()
    projects = []
    if year is not None and department is not None:
        projects = list(
            projects_for(request.user)
            .filter(year=year, unit__department=department)
            .select_related("unit")
            .order_by("unit__order", "unit__code", "order", "id")
        )
    findings = review_projects(projects, viewer=request.user)
    by_severity = Counter(f.severity for f in findings)
    by_rule = Counter(f.code for f in findings)
    shown = [f for f in findings if not severity or f.severity == severity]
    groups = []
    for project in projects:
        rows = [f for f in shown if f.project.pk == project.pk]
        total = sum(1 for f in findings if f.project.pk == project.pk)
        groups.append({"project": project, "findings": rows, "total": total})
    active = {rule.code for rule in enabled_rules()}
    context = {
        "form": form,
        "year": year,
        "department": department,
        "severity": severity,
        "groups": groups,
        "total": len(findings),
        "severity_counts": [
            {"severity": value, "label": label, "count": by_severity[value]}
            for value, label in sorted(Severity.choices, key=lambda c: SEVERITY_ORDER[c[0]])
        ],
        "rule_counts": [
            {"rule": RULES_BY_CODE[code], "count": count}
            for code, count in sorted(by_rule.items(), key=lambda item: (-item[1], item[0]))
        ],
        "disabled_rules": [rule for rule in RULES if rule.code not in active],
    }
    return render(request, "performance/review_report.html", context)
