from django.urls import path

from onewindow.licences import views

app_name = "licences"
urlpatterns = [
    path("", views.wallet, name="wallet"),
    path("<str:number>.pdf", views.licence_download, name="download"),
    path("verify/", views.verify, name="verify"),
    path("keys", views.keys, name="keys"),
    path("status/<slug:name>", views.status_list, name="status_list"),
]
