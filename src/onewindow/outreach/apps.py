from django.apps import AppConfig


class OutreachConfig(AppConfig):
    """Proactive push rules (主动推送): information finds the person."""

    name = "onewindow.outreach"
    label = "outreach"

    def ready(self) -> None:
        from onewindow.outreach import receivers

        receivers.connect()
