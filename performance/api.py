"""The read-only JSON API (SPEC section 12), scoped to the units the user may see."""

from functools import wraps

from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from budgets.permissions import projects_for

from .exports import department_object, evaluation_document, evaluations_document, with_related
from .services import score_project

JSON_OPTIONS = {"ensure_ascii": False}


def login_required_json(view):
    """An API call without a logged-in user is answered 401 with JSON, not sent to the login page."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return JsonResponse({"error": "请先登录"}, status=401, json_dumps_params=JSON_OPTIONS)
        return view(request, *args, **kwargs)

    return guarded


@login_required_json
@require_GET
def project_list(request):
    """GET /api/projects/?year=Y[&unit=CODE]: the self-evaluations of the year's projects."""
    year = request.GET.get("year", "").strip()
    if not year.isdigit():
        return JsonResponse({"error": "请用 ?year=年度 指定年度，例如 ?year=2021"}, status=400)
    projects = projects_for(request.user).filter(year=int(year))
    unit = request.GET.get("unit", "").strip()
    if unit:
        projects = projects.filter(unit__code=unit)
    return JsonResponse(evaluations_document(projects, with_ids=True), json_dumps_params=JSON_OPTIONS)


@login_required_json
@require_GET
def project_evaluation(request, pk: int):
    """GET /api/projects/<id>/evaluation/: one project's self-evaluation; 404 if the user may not see it."""
    project = get_object_or_404(with_related(projects_for(request.user)), pk=pk)
    document = {"id": project.pk, **evaluation_document(project, score_project(project))}
    document["department"] = department_object(project)
    response = JsonResponse(document, json_dumps_params=JSON_OPTIONS)
    if "download" in request.GET:  # the project page's 下载 JSON: a file, named for the project
        response["Content-Disposition"] = content_disposition_header(True, f"{project.year}-{project.name}.json")
    return response
