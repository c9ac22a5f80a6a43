from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "onewindow.appointments"
    label = "appointments"
    verbose_name = "预约"

    def ready(self) -> None:
        from onewindow.appointments import home_changes

        home_changes.watch()  # whose citizen pages its changes alter (core.home)
