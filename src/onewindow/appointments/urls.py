from django.urls import path

from onewindow.appointments import desk_views

app_name = "appointments"
urlpatterns = [
    path("desk/", desk_views.desk, name="desk"),
    path("desk/<slug:code>/", desk_views.desk_day, name="desk_day"),
]
