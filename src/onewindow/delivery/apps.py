from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "onewindow.delivery"
    label = "delivery"
    verbose_name = "物流取件"

    def ready(self) -> None:
        from onewindow.delivery import checks  # noqa: F401  (registers the deployment check)
