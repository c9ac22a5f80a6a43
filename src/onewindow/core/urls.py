from django.urls import path

from onewindow.core import views

app_name = "core"
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("elder-mode", views.elder_mode_toggle, name="elder_mode"),
]
