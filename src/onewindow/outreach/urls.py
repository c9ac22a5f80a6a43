from django.urls import path

from onewindow.outreach import views

app_name = "outreach"
urlpatterns = [
    path("rules/", views.rule_list, name="rule_list"),
    path("rules/new/", views.rule_new, name="rule_new"),
    path("rules/<slug:code>/", views.rule_edit, name="rule_edit"),
    path("rules/<slug:code>/preview/", views.rule_preview, name="rule_preview"),
    path("confirm/", views.department_confirm, name="department_confirm"),
    path("mine/", views.my_pushes, name="my_pushes"),
]
