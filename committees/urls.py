from django.urls import path

from . import views

urlpatterns = [
    path("committees/", views.committee_list, name="committee_list"),
    path("committees/new/", views.committee_create, name="committee_create"),
    path("committees/<int:pk>/", views.committee_detail, name="committee_detail"),
    path("committees/<int:pk>/edit/", views.committee_edit, name="committee_edit"),
    path("committees/<int:pk>/requests/", views.audit_request_create, name="audit_request_create"),
    path("committees/<int:pk>/compare/", views.report_create, name="report_create"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/status/", views.report_status, name="report_status"),
    path("reports/<int:pk>/retry/", views.report_retry, name="report_retry"),
    path("reports/<int:pk>/rebuild/", views.report_rebuild, name="report_rebuild"),
    path("reports/<int:pk>/report.csv", views.report_csv, name="report_csv"),
    path("reports/<int:pk>/report.xlsx", views.report_xlsx, name="report_xlsx"),
    path("reports/<int:pk>/report.pdf", views.report_pdf, name="report_pdf"),
    path("reports/<int:pk>/products/<int:product_pk>/", views.report_product, name="report_product"),
    path("reports/<int:pk>/comments/", views.report_comment, name="report_comment"),
    path("reports/<int:pk>/consensus/", views.report_consensus, name="report_consensus"),
    path("reports/<int:pk>/decisions/", views.report_decision, name="report_decision"),
    path("reports/<int:pk>/shares/", views.report_share_create, name="report_share_create"),
    path("reports/<int:pk>/shares/<int:share_pk>/revoke/", views.report_share_revoke, name="report_share_revoke"),
    # The board's read-only copy: no sign-in; the secret in the link is the key.
    path("shared/<str:token>/", views.shared_report, name="shared_report"),
    path("shared/<str:token>/products/<int:product_pk>/", views.shared_report_product,
         name="shared_report_product"),
    path("reports/<int:pk>/consensus/withdraw/", views.consensus_withdraw, name="consensus_withdraw"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision_detail"),
    path("decisions/<int:pk>/vote/", views.decision_vote, name="decision_vote"),
    path("decisions/<int:pk>/revise/", views.decision_revise, name="decision_revise"),
    path("decisions/<int:pk>/withdraw/", views.decision_withdraw, name="decision_withdraw"),
    path("committees/<int:pk>/meetings/new/", views.meeting_create, name="meeting_create"),
    path("committees/<int:pk>/calibration/new/", views.calibration_create, name="calibration_create"),
    path("committees/<int:pk>/calibration/<int:round_pk>/", views.calibration_detail, name="calibration_detail"),
]
