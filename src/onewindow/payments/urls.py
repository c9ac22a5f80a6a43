from django.urls import path

from onewindow.payments import staff_views, views

app_name = "payments"
urlpatterns = [
    path("notify/<slug:gateway>/", views.notify, name="notify"),
    path("cases/<str:number>/", views.case_payments, name="case"),
    path("return/<str:out_trade_no>/", views.payment_return, name="return"),
    path("receipts/<str:out_trade_no>/", views.receipt, name="receipt"),
    path("reconciliation/", staff_views.reconciliation_list, name="reconciliation"),
    path("reconciliation/differences/<int:pk>/", staff_views.mismatch_detail, name="mismatch"),
    path(
        "reconciliation/<str:day>/<slug:gateway>/",
        staff_views.reconciliation_day,
        name="reconciliation_day",
    ),
]
