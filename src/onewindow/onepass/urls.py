from django.urls import path

from onewindow.onepass import views

app_name = "onepass"
urlpatterns = [
    path("library/", views.library, name="library"),
    path("library/bind/", views.card_bind, name="card_bind"),
    path("library/open/", views.card_open, name="card_open"),
    path("library/renew/", views.loan_renew, name="loan_renew"),
    path("library/hold/", views.hold_place, name="hold_place"),
    path("volunteer/", views.volunteer, name="volunteer"),
    path("volunteer/register/", views.volunteer_register, name="volunteer_register"),
    path("volunteer/join/", views.activity_join, name="activity_join"),
    path("volunteer/certificate/", views.certificate_issue, name="certificate_issue"),
]
