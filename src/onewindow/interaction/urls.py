from django.urls import path

from onewindow.interaction import views

app_name = "interaction"

urlpatterns = [
    path("mine/", views.mine_list, name="mine"),
    path("mine/<str:number>/", views.mine_detail, name="mine_detail"),
]
