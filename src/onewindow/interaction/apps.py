from django.apps import AppConfig


class InteractionConfig(AppConfig):
    """Government–citizen interaction (政民互动): the 12345-style hotline — requests from every
    channel, dispatch to departments, time limits in working days, answers, return visits."""

    name = "onewindow.interaction"
    label = "interaction"
