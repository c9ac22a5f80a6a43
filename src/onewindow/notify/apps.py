from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "onewindow.notify"
    label = "notify"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from onewindow.notify import home_changes

        home_changes.watch()  # whose citizen pages its changes alter (core.home)

        from onewindow.notify import checks  # noqa: F401 (registers the deployment checks)
