from django.urls import path, register_converter

from onewindow.interaction.open311 import endpoint, pages, views


class FormatConverter:
    regex = "json|xml"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "georeport_format")

app_name = "open311"
urlpatterns = [
    path("discovery.<georeport_format:fmt>", views.discovery, name="discovery"),
    path("services.<georeport_format:fmt>", views.services, name="services"),
    path("services/<str:code>.<georeport_format:fmt>", views.service_definition, name="service"),
    path("requests.<georeport_format:fmt>", views.requests, name="requests"),
    path("requests/<str:number>.<georeport_format:fmt>", views.request_one, name="request"),
    path("tokens/<str:token>.<georeport_format:fmt>", views.token, name="token"),
    path("servicerequestupdates.<georeport_format:fmt>", views.updates, name="updates"),
    # anything else under the interface: a 404 in the specification's format, not a page
    path("", endpoint.unknown, name="index"),
    path("<path:rest>", endpoint.unknown, name="unknown"),
]
# the operators' key page, mounted by config at hotline/operators/open311-keys/
key_patterns = ([path("", pages.key_list, name="keys")], "open311_keys")
