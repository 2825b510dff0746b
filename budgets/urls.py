from django.urls import path

from . import views

app_name = "budgets"

urlpatterns = [
    path("", views.home, name="home"),
    path("departments/<str:code>/<int:year>/", views.department_detail, name="department-detail"),
    path("departments/<str:code>/<int:year>/consistency/", views.consistency, name="consistency"),
]
