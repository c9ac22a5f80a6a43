from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "onewindow.notify"
    label = "notify"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from onewindow.notify import actions, checks  # noqa: F401 (checks registers)
        from onewindow.workflow import register_action

        register_action(actions.ACTION, actions.notify_send, outputs=("notified",))
