from django.conf import settings
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

if settings.DEMO or settings.TESTING:
    # The library's own web system, logging residents in through OneWindow (a demo).
    from onewindow.onepass.library_web import views as library_web

    urlpatterns += [
        path("library-web/", library_web.home, name="library_web_home"),
        path("library-web/login/", library_web.login, name="library_web_login"),
        path("library-web/callback/", library_web.callback, name="library_web_callback"),
        path("library-web/renew/", library_web.renew, name="library_web_renew"),
        path("library-web/logout/", library_web.logout, name="library_web_logout"),
    ]
