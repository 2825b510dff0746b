"""Carry a project into next year (its goal and indicators), from the project page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from budgets.permissions import projects_for

from ..carry_forward import carry_forward_project


@login_required
@require_POST
def project_carry_forward(request, pk: int):
    project = get_object_or_404(projects_for(request.user).select_related("unit"), pk=pk)
    try:
        copy = carry_forward_project(project=project, to_year=project.year + 1, by=request.user)
    except PermissionDenied:
        messages.error(request, _("您无权结转此项目。"))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已结转到 %(year)s 年，请修改新年度的指标值。") % {"year": copy.year})
        return redirect("performance:project-detail", pk=copy.pk)
    return redirect("performance:project-detail", pk=project.pk)
