from django.urls import path, re_path

from onewindow.interaction.open311 import pages, views

app_name = "open311"
F = r"\.(?P<fmt>json|xml)$"
urlpatterns = [
    re_path(r"^discovery" + F, views.discovery, name="discovery"),
    re_path(r"^services" + F, views.services, name="services"),
    re_path(r"^services/(?P<code>[\w.-]+)" + F, views.service_definition, name="service"),
    re_path(r"^requests" + F, views.requests, name="requests"),
    re_path(r"^requests/(?P<number>[\w-]+)" + F, views.request_one, name="request"),
    re_path(r"^tokens/(?P<token>[\w-]+)" + F, views.token, name="token"),
    re_path(r"^servicerequestupdates" + F, views.updates, name="updates"),
]
# the operators' key page, mounted by config at hotline/operators/open311-keys/
key_patterns = ([path("", pages.key_list, name="keys")], "open311_keys")
