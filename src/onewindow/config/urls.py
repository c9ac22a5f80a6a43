from django.contrib import admin
from django.urls import include, path
from django_otp.admin import OTPAdminSite
from django_prometheus import exports

from onewindow.api.api import api
from onewindow.core.access import PUBLIC, access
from onewindow.interaction.open311.urls import key_patterns as open311_keys

metrics = access(PUBLIC)(exports.ExportToDjangoView)

# The admin asks for a verified second factor like every other staff page.
admin.site.__class__ = OTPAdminSite

urlpatterns = [
    path("", include("onewindow.portal.urls")),
    path("", include("onewindow.core.urls")),
    path("account/", include("onewindow.identity.urls")),
    path("services/", include("onewindow.catalog.urls")),
    path("notify/", include("onewindow.notify.urls")),
    path("", include("onewindow.cases.urls")),  # /workbench/… (staff) and /cases/… (residents)
    path("appointments/", include("onewindow.appointments.urls")),
    path("exchange/", include("onewindow.exchange.urls")),  # data-sharing owners' page
    path("licences/", include("onewindow.licences.urls")),
    path("payments/", include("onewindow.payments.urls")),
    path("delivery/", include("onewindow.delivery.urls")),  # address book, pickups, returns
    path("bills/", include("onewindow.bills.urls")),  # 我的账单: bound accounts and e-bills
    path("hotline/", include("onewindow.interaction.urls")),  # 12345: requests and answers
    path("open311/v2/", include("onewindow.interaction.open311.urls")),  # GeoReport v2
    path("hotline/operators/open311-keys/", include(open311_keys)),  # operators: API keys
    path("ratings/", include("onewindow.ratings.urls")),  # 好差评: residents rate
    path("onepass/", include("onewindow.onepass.urls")),  # 一号通行: library, volunteering
    path("outreach/", include("onewindow.outreach.urls")),  # push rules (主动推送)
    path("", include("onewindow.sso.urls")),  # /o/… OpenID Connect provider (single sign-on)
    path("i18n/", include("django.conf.urls.i18n")),
    path("ratings/work/", include("onewindow.ratings.urls_staff")),  # 差评整改, 申诉复核
    path("ratings/", include("onewindow.ratings.urls_public")),  # 好差评公开, 追评整改
    path("api/v1/", api.urls),
    path("metrics", metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("demo/", include("onewindow.demo.urls")),  # 演示账号: 404 unless ONEWINDOW_DEMO
]

handler404 = "onewindow.portal.views.page_not_found"
handler500 = "onewindow.portal.views.server_error"
