from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "onewindow.exchange"
    label = "exchange"
    verbose_name = "数据交换"
