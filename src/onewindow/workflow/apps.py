from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    """The BPMN engine. It imports only ``core``; the apps that own the work a service task
    does register their actions from their own ``ready()`` (``register_action``)."""

    name = "onewindow.workflow"
    label = "workflow"
    verbose_name = "流程引擎"

    def ready(self) -> None:
        from onewindow.workflow import decisions

        decisions.register()
