from django.urls import path

from onewindow.exchange import views

app_name = "exchange"
urlpatterns = [path("", views.owner_home, name="owner_home")]
