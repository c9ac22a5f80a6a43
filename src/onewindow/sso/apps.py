from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "onewindow.sso"
    label = "sso"
    verbose_name = "统一身份认证"

    def ready(self) -> None:
        from onewindow.sso import admin

        admin.install()
