from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "onewindow.exchange"
    label = "exchange"
    verbose_name = "数据交换"

    def ready(self) -> None:
        from onewindow.exchange import lookup
        from onewindow.workflow import register_action

        register_action("exchange.lookup", lookup.lookup_from_case, outputs=lookup.lookup_outputs)
