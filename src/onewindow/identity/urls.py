from django.urls import path

from onewindow.identity import views

app_name = "identity"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("profile/", views.profile_view, name="profile"),
    path("staff/login/", views.staff_login_view, name="staff_login"),
    path("staff/persons/<int:pk>/", views.staff_person_view, name="staff_person"),
]
