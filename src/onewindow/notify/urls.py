from django.urls import path

from onewindow.notify import views

app_name = "notify"
urlpatterns = [
    path("sms-outbox/", views.sms_outbox, name="sms_outbox"),
    path("receipts/<slug:provider>/<str:token>/", views.sms_receipts, name="sms_receipts"),
    path("wechat/events/", views.wechat_events, name="wechat_events"),
    path("log/", views.message_log, name="message_log"),
]
