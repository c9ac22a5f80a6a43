from django.apps import AppConfig


class LicencesConfig(AppConfig):
    name = "onewindow.licences"
    label = "licences"
    verbose_name = "电子证照"

    def ready(self) -> None:
        from onewindow.licences import checks  # noqa: F401  (registers the deployment check)
