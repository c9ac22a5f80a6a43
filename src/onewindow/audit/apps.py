from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "onewindow.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from onewindow.audit import checks  # noqa: F401 — registers the deploy check
