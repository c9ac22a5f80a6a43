from django.apps import AppConfig


class OnepassConfig(AppConfig):
    """One account for other public services (一号通行): the library, volunteering."""

    name = "onewindow.onepass"
    label = "onepass"
