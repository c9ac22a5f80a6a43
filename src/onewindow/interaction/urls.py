from django.urls import path

from onewindow.interaction import console_views, staff_views, views

app_name = "interaction"

urlpatterns = [
    path("new/", views.new, name="new"),
    path("new/<str:number>/receipt/", views.receipt, name="receipt"),
    path("mine/", views.mine_list, name="mine"),
    path("mine/<str:number>/", views.mine_detail, name="mine_detail"),
    path("answers/", views.answers, name="answers"),
    path("console/", console_views.console, name="console"),
    path("answers/edit/", console_views.knowledge_list, name="knowledge_list"),
    path("answers/edit/new/", console_views.knowledge_edit, name="knowledge_new"),
    path("answers/edit/<int:article_id>/", console_views.knowledge_edit, name="knowledge_edit"),
    path("dispatch/", staff_views.dispatch_queue, name="dispatch"),
    path("dispatch/<str:number>/", staff_views.dispatch_detail, name="dispatch_detail"),
    path("inbox/", staff_views.inbox, name="inbox"),
    path("inbox/<str:number>/", staff_views.inbox_detail, name="inbox_detail"),
]
