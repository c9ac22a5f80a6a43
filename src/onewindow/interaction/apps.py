from django.apps import AppConfig


class InteractionConfig(AppConfig):
    """Government–citizen interaction (政民互动): the 12345-style hotline — requests from every
    channel, dispatch to departments, time limits in working days, answers, return visits."""

    name = "onewindow.interaction"
    label = "interaction"

    def ready(self) -> None:
        from onewindow.interaction import home_changes

        home_changes.watch()  # whose citizen pages its changes alter (core.home)

        from onewindow.core.home import home_section_register
        from onewindow.interaction.selectors.home import SECTION_KEY, replies_home_section

        home_section_register(SECTION_KEY, replies_home_section)
