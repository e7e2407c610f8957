from django.urls import path

from . import views

urlpatterns = [
    path("products/<int:pk>/pages/add/", views.vendor_page_add, name="vendor_page_add"),
    path("products/<int:pk>/pages/<int:page_pk>/", views.vendor_page_detail, name="vendor_page_detail"),
    path("products/<int:pk>/pages/<int:page_pk>/status/", views.vendor_page_status, name="vendor_page_status"),
    path("products/<int:pk>/pages/<int:page_pk>/check/", views.vendor_page_check, name="vendor_page_check"),
    path("products/<int:pk>/pages/<int:page_pk>/remove/", views.vendor_page_remove, name="vendor_page_remove"),
    path("products/<int:pk>/pages/<int:page_pk>/changes/<int:snapshot_pk>/", views.vendor_page_change,
         name="vendor_page_change"),
    path("products/<int:pk>/reaudit/", views.vendor_reaudit, name="vendor_reaudit"),
]
