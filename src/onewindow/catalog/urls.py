from django.urls import path

from onewindow.catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.service_list, name="service_list"),
    path("<slug:code>/", views.service_guide, name="service_guide"),
]
