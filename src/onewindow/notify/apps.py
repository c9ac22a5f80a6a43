from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "onewindow.notify"
    label = "notify"
    verbose_name = "Notifications"
