from django.apps import AppConfig


class RatingsConfig(AppConfig):
    """Ratings of every service (好差评): the resident's five-level rating of each concluded
    case and each concluded hotline request, on the national dimensions, and the
    rectification (整改) a bad rating opens for whoever handled it.

    The apps that conclude things (cases, interaction) tell this one through
    ``services.subject_expect`` when something may be rated; this app imports neither."""

    name = "onewindow.ratings"
    label = "ratings"

    def ready(self) -> None:
        from onewindow.core.guide_panels import guide_panel_register
        from onewindow.ratings import tasks_rectify  # noqa: F401  (registers its beat task)
        from onewindow.ratings.selectors.stats import service_guide_panel

        guide_panel_register("ratings", service_guide_panel)  # the guide's ratings panel
