"""The public statistics (``/ratings/stats/``) and the rater's rating of a fix
(``/ratings/fix/…``)."""

from django.urls import path

from onewindow.ratings import public_views

app_name = "ratings_public"

urlpatterns = [
    path("stats/", public_views.stats, name="stats"),
    path("fix/<int:pk>/", public_views.fix, name="fix"),
    path("fix/r/<str:token>/", public_views.fix_link, name="fix_link"),
]
