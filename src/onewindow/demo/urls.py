from django.urls import path

from onewindow.demo import views

app_name = "demo"
urlpatterns = [
    path("", views.demo_accounts, name="accounts"),
]
