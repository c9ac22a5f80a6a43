from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "onewindow.identity"
    label = "identity"
    verbose_name = "Identity"

    def ready(self) -> None:
        from onewindow.identity import home_changes

        home_changes.watch()  # whose citizen pages its changes alter (core.home)

        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in

        from onewindow.identity import lockout

        user_locked_out.connect(lockout.on_user_locked_out, dispatch_uid="identity-lockout")
        user_logged_in.connect(lockout.on_user_logged_in, dispatch_uid="identity-lockout-reset")
