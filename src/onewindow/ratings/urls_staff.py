"""The staff's rectification pages, under ``/ratings/work/``."""

from django.urls import path

from onewindow.ratings import staff_views

app_name = "ratings_staff"

urlpatterns = [
    path("", staff_views.inbox, name="inbox"),
    path("<int:pk>/", staff_views.detail, name="detail"),
    path("appeals/", staff_views.appeals, name="appeals"),
    path("appeals/<int:pk>/", staff_views.appeal_detail, name="appeal_detail"),
]
