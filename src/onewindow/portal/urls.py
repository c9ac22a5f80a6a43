from django.urls import path

from onewindow.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("messages/", views.messages_list, name="messages"),
    path("messages/read-all/", views.messages_read_all, name="messages_read_all"),
    path("messages/<int:pk>/", views.message_open, name="message_open"),
    path("company/<str:uscc>/", views.company_home, name="company_home"),
]
