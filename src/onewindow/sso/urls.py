"""The OpenID Connect provider at ``/o/`` (issuer ``<origin>/o``, or ONEWINDOW_OIDC_ISSUER)
and, in the demo and in tests only, the demo relying party at ``/demo-rp/``."""

from django.conf import settings
from django.urls import include, path, re_path

from onewindow.sso import views

# django-oauth-toolkit reverses its endpoints in the "oauth2_provider" namespace.
provider_patterns = [
    path("authorize/", views.authorize, name="authorize"),
    path("token/", views.token, name="token"),
    path("revoke_token/", views.revoke, name="revoke-token"),
    path("userinfo/", views.userinfo, name="user-info"),
    path("logout/", views.logout, name="rp-initiated-logout"),
    path(".well-known/jwks.json", views.jwks, name="jwks-info"),
    re_path(
        r"^\.well-known/openid-configuration$",
        views.discovery,
        name="oidc-connect-discovery-info",
    ),
]

urlpatterns = [path("o/", include((provider_patterns, "oauth2_provider")))]

if settings.DEMO or settings.TESTING:
    urlpatterns.append(path("demo-rp/", include("onewindow.sso.demo_rp.urls")))
