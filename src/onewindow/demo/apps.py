from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "onewindow.demo"
    label = "demo"
