from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "onewindow.delivery"
    label = "delivery"
    verbose_name = "物流取件"

    def ready(self) -> None:
        from onewindow.delivery import home_changes

        home_changes.watch()  # whose citizen pages its changes alter (core.home)

        from onewindow.delivery import actions, checks  # noqa: F401  (registers the check)
        from onewindow.workflow import register_action

        register_action("delivery.ship", actions.ship_from_case, outputs=("delivery",))
