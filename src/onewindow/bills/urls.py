from django.urls import path

from onewindow.bills import views

app_name = "bills"
urlpatterns = [
    path("", views.home, name="home"),
    path("bind/", views.bind, name="bind"),
    path("refresh/", views.refresh, name="refresh"),
    path("<int:subscription_id>/", views.subscription, name="subscription"),
    path("<int:subscription_id>/bills/<int:bill_id>/", views.subscription, name="bill"),
    path("<int:subscription_id>/notify/", views.notify, name="notify"),
    path("<int:subscription_id>/unbind/", views.unbind, name="unbind"),
]
