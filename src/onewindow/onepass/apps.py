from django.apps import AppConfig


class OnepassConfig(AppConfig):
    """One account for other public services (一号通行): the library, volunteering."""

    name = "onewindow.onepass"
    label = "onepass"

    def ready(self) -> None:
        from onewindow.onepass import home_changes

        home_changes.watch()  # whose citizen pages its changes alter (core.home)

        from onewindow.core.home import home_section_register
        from onewindow.onepass.home import SECTION_KEY, library_section

        home_section_register(SECTION_KEY, library_section)
