from django.urls import path

from . import committee_views, version_move_views, views

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

urlpatterns += [
    path("committees/", committee_views.committee_list, name="committee_list"),
    path("committees/new/", committee_views.committee_create, name="committee_create"),
    path("committees/<int:pk>/", committee_views.committee_detail, name="committee_detail"),
    path("committees/<int:pk>/edit/", committee_views.committee_edit, name="committee_edit"),
    path("committees/<int:pk>/requests/", committee_views.audit_request_create, name="audit_request_create"),
    path("committees/<int:pk>/compare/", committee_views.report_create, name="report_create"),
    path("reports/<int:pk>/", committee_views.report_detail, name="report_detail"),
    path("reports/<int:pk>/status/", committee_views.report_status, name="report_status"),
    path("reports/<int:pk>/retry/", committee_views.report_retry, name="report_retry"),
    path("reports/<int:pk>/report.csv", committee_views.report_csv, name="report_csv"),
    path("reports/<int:pk>/report.pdf", committee_views.report_pdf, name="report_pdf"),
    path("reports/<int:pk>/comments/", committee_views.report_comment, name="report_comment"),
    path("reports/<int:pk>/consensus/", committee_views.report_consensus, name="report_consensus"),
    path("reports/<int:pk>/decisions/", committee_views.report_decision, name="report_decision"),
]

# Moving a draft audit to the newest rubric version (issue 3).
urlpatterns += [
    path("audits/<int:pk>/move-version/", version_move_views.audit_version_move, name="audit_version_move"),
]

# Copy and tone review (audits/tone_views.py).
from . import tone_views  # noqa: E402

urlpatterns += [
    path("products/<int:pk>/tone/", tone_views.product_tone, name="product_tone"),
    path("products/<int:pk>/tone/status/", tone_views.product_tone_status, name="product_tone_status"),
    path("products/<int:pk>/tone/retry/", tone_views.product_tone_retry, name="product_tone_retry"),
    path("tone/", tone_views.tone_preview, name="tone_preview"),
]
