from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "onewindow.core"
    label = "core"
    verbose_name = "OneWindow core"

    def ready(self) -> None:
        from onewindow.core import checks  # noqa: F401
