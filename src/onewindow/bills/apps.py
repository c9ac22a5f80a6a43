from django.apps import AppConfig


class BillsConfig(AppConfig):
    """Bills and subscriptions (按需订阅): utility, social-insurance, housing-fund and phone
    bills a resident has bound, fetched from each provider."""

    name = "onewindow.bills"
    label = "bills"

    def ready(self) -> None:
        from onewindow.bills import home_changes

        home_changes.watch()  # whose citizen pages its changes alter (core.home)

        from onewindow.bills.home import SECTION_KEY, bills_section
        from onewindow.core.home import home_section_register

        home_section_register(SECTION_KEY, bills_section)
