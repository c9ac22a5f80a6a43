from django.urls import path

from onewindow.payments import views

app_name = "payments"
urlpatterns = [
    path("notify/<slug:gateway>/", views.notify, name="notify"),
    path("cases/<str:number>/", views.case_payments, name="case"),
    path("return/<str:out_trade_no>/", views.payment_return, name="return"),
    path("receipts/<str:out_trade_no>/", views.receipt, name="receipt"),
]
