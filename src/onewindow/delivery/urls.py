from django.urls import path

from onewindow.delivery import push_views, staff_views, views

app_name = "delivery"
urlpatterns = [
    path("push/<slug:carrier>/", push_views.courier_push, name="push"),
    path("addresses/", views.address_list, name="addresses"),
    path("addresses/new/", views.address_new, name="address_new"),
    path("addresses/<int:pk>/", views.address_edit, name="address_edit"),
    path("addresses/<int:pk>/default/", views.address_default, name="address_default"),
    path("addresses/<int:pk>/delete/", views.address_delete, name="address_delete"),
    path("cases/<str:number>/pickup/", views.pickup_book, name="pickup"),
    path("shipments/<str:tracking_no>/address/", views.shipment_address, name="shipment_address"),
    path("shipments/<str:tracking_no>/cancel/", views.pickup_cancel, name="pickup_cancel"),
    path("staff/returns/", staff_views.returns_list, name="returns"),
    path("staff/returns/<int:pk>/", staff_views.return_detail, name="return_detail"),
]
