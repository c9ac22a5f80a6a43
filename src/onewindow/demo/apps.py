from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "onewindow.demo"
    label = "demo"

    def ready(self) -> None:
        from onewindow.catalog.packages import register_demo_city
        from onewindow.demo.city import city_structure

        # Packages are checked against the demo city's structure until a city is seeded.
        register_demo_city(city_structure)
