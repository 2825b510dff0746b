"""The app's URLs plus ``/bench/trivial/``: a logged-in view doing one query, the floor of a page."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import include, path

from budgets.models import Department


@login_required
def trivial(request):
    name = Department.objects.values_list("name", flat=True).first()  # the one query
    return HttpResponse(f"<!doctype html><title>bench</title><p>{name}</p>")


urlpatterns = [path("bench/trivial/", trivial), path("", include("config.urls"))]
