from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("by-product/", views.dashboard_products, name="dashboard_products"),
    path("products/<int:product_pk>/audit/", views.audit_create, name="audit_create"),
    path("audits/new/", views.audit_start, name="audit_start"),
    path("audits/<int:pk>/", views.audit_detail, name="audit_detail"),
    path("audits/<int:pk>/section/<int:number>/", views.audit_section, name="audit_section"),
    path("audits/<int:pk>/review/", views.audit_review, name="audit_review"),
    path("audits/<int:pk>/result/", views.audit_result, name="audit_result"),
    path("audits/<int:pk>/result.pdf", views.audit_result_pdf, name="audit_result_pdf"),
    path("audits/<int:pk>/evidence/<int:question_pk>/", views.audit_evidence, name="audit_evidence"),
    path("audits/<int:pk>/status/", views.audit_status, name="audit_status"),
    path("audits/<int:pk>/retry/", views.audit_retry, name="audit_retry"),
    path("audits/<int:pk>/delete/", views.audit_delete, name="audit_delete"),
    path("audits/<int:pk>/undo-delete/", views.audit_undo_delete, name="audit_undo_delete"),
    path("audits/<int:pk>/move-version/", views.audit_version_move, name="audit_version_move"),
]
