from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "onewindow.payments"
    label = "payments"
    verbose_name = "网上缴费"

    def ready(self) -> None:
        from onewindow.payments import home_changes

        home_changes.watch()  # whose citizen pages its changes alter (core.home)

        from onewindow.payments import actions, checks  # noqa: F401  (registers the checks)
        from onewindow.workflow import register_action

        register_action("payments.create_order", actions.create_order, outputs=("payment", "paid"))
        register_action("payments.await", actions.await_payment)
