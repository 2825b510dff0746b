from django.urls import path

from . import api

app_name = "api"

urlpatterns = [
    path("projects/", api.project_list, name="project-list"),
    path("projects/<int:pk>/evaluation/", api.project_evaluation, name="project-evaluation"),
]
