from django.urls import path

from onewindow.ratings import views

app_name = "ratings"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("<int:subject_id>/", views.rate, name="rate"),
    path("r/<str:token>/", views.link, name="link"),
    path("thanks/", views.thanks, name="thanks"),
]
