from django.urls import path

from onewindow.appointments import desk_views, views

app_name = "appointments"
urlpatterns = [
    path("drafts/<int:case_id>/", views.draft_slot, name="draft_slot"),
    path("desk/", desk_views.desk, name="desk"),
    path("desk/<slug:code>/", desk_views.desk_day, name="desk_day"),
]
