from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "onewindow.identity"
    label = "identity"
    verbose_name = "Identity"
