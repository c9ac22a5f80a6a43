from django.urls import path

from onewindow.identity import company_views, staff_views, views

app_name = "identity"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("profile/", views.profile_view, name="profile"),
    path("profile/companies/", company_views.my_companies_view, name="my_companies"),
    path(
        "profile/companies/grants/<int:grant_id>/<str:answer>/",
        company_views.agent_grant_answer_view,
        name="agent_grant_answer",
    ),
    path("profile/companies/<str:uscc>/", company_views.my_company_view, name="my_company"),
    path(
        "profile/companies/<str:uscc>/grants/<int:grant_id>/revoke/",
        company_views.agent_grant_revoke_view,
        name="agent_grant_revoke",
    ),
    path("staff/login/", views.staff_login_view, name="staff_login"),
    path("staff/persons/new/", views.staff_person_new_view, name="staff_person_new"),
    path("staff/persons/<int:pk>/", views.staff_person_view, name="staff_person"),
    path(
        "staff/persons/<int:pk>/verify/",
        views.staff_person_verify_view,
        name="staff_person_verify",
    ),
    path("staff/enrol/", staff_views.staff_enrol_view, name="staff_enrol"),
    path("staff/people/", staff_views.staff_people_view, name="staff_people"),
    path(
        "staff/people/<int:pk>/authenticator/",
        staff_views.staff_totp_reset_view,
        name="staff_totp_reset",
    ),
]
