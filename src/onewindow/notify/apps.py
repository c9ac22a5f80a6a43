from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "onewindow.notify"
    label = "notify"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from onewindow.cases.signals import case_news
        from onewindow.notify import actions, checks, receivers  # noqa: F401 (checks registers)
        from onewindow.workflow import register_action

        case_news.connect(receivers.on_case_news, dispatch_uid="notify.case_news")
        register_action(actions.ACTION, actions.notify_send, outputs=("notified",))
