from django.urls import path

from onewindow.licences import staff_views, views

app_name = "licences"
urlpatterns = [
    path("", views.wallet, name="wallet"),
    path("staff/", staff_views.staff_search, name="staff_search"),
    path("staff/<str:number>/", staff_views.staff_licence, name="staff_licence"),
    path("<str:number>.pdf", views.licence_download, name="download"),
    path("verify/", views.verify, name="verify"),
    path("keys", views.keys, name="keys"),
    path("status/<slug:name>", views.status_list, name="status_list"),
]
