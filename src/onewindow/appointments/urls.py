from django.urls import path

from onewindow.appointments import views

app_name = "appointments"
urlpatterns = [
    path("drafts/<int:case_id>/", views.draft_slot, name="draft_slot"),
]
