from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("products/", views.product_list, name="product_list"),
    path("products/new/", views.product_create, name="product_create"),
    path("products/<int:pk>/", views.product_detail, name="product_detail"),
    path("products/<int:pk>/edit/", views.product_edit, name="product_edit"),
    path("products/<int:product_pk>/audit/", views.audit_create, name="audit_create"),
    path("audits/new/", views.audit_start, name="audit_start"),
    path("audits/<int:pk>/", views.audit_detail, name="audit_detail"),
    path("audits/<int:pk>/section/<int:number>/", views.audit_section, name="audit_section"),
    path("audits/<int:pk>/review/", views.audit_review, name="audit_review"),
    path("audits/<int:pk>/result/", views.audit_result, name="audit_result"),
    path("audits/<int:pk>/status/", views.audit_status, name="audit_status"),
    path("audits/<int:pk>/retry/", views.audit_retry, name="audit_retry"),
]
