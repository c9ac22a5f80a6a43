from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "onewindow.cases"
    label = "cases"

    def ready(self) -> None:
        # A licence a case's process issued: an establishment case notes its new company.
        from onewindow.cases.services.establish import licence_issued_receive
        from onewindow.licences.signals import licence_issued

        licence_issued.connect(licence_issued_receive, dispatch_uid="cases.licence_issued")
