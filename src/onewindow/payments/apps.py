from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "onewindow.payments"
    label = "payments"
    verbose_name = "网上缴费"

    def ready(self) -> None:
        from onewindow.cases.engine import register_action
        from onewindow.payments import actions, checks  # noqa: F401  (registers the checks)

        register_action("payments.await", actions.await_payment)
