from django.apps import AppConfig


class LicencesConfig(AppConfig):
    name = "onewindow.licences"
    label = "licences"
    verbose_name = "电子证照"

    def ready(self) -> None:
        from onewindow.licences import home_changes

        home_changes.watch()  # whose citizen pages its changes alter (core.home)

        from onewindow.licences import actions, checks  # noqa: F401  (registers the check)
        from onewindow.workflow import register_action

        register_action("licences.issue", actions.issue_from_case, outputs=("licence",))
