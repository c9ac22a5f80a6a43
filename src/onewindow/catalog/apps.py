from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "onewindow.catalog"
    label = "catalog"
    verbose_name = _("服务事项目录")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from onewindow.catalog import home_changes

        home_changes.watch()  # whose citizen pages its changes alter (core.home)

        from onewindow.catalog import versions  # noqa: F401  (connects its signals)
