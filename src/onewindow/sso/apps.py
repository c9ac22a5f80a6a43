from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "onewindow.sso"
    label = "sso"
    verbose_name = "统一身份认证"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save
        from oauth2_provider.models import get_application_model

        from onewindow.sso import admin
        from onewindow.sso.selectors import client_redirect_origins_forget

        admin.install()
        # The Content-Security-Policy's form-action follows the clients' redirect URIs.
        for signal in (post_save, post_delete):
            signal.connect(
                client_redirect_origins_forget,
                sender=get_application_model(),
                dispatch_uid=f"sso-origins-{signal is post_save}",
            )
