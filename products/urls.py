from django.urls import path

from . import views

urlpatterns = [
    path("products/", views.product_list, name="product_list"),
    path("products/new/", views.product_create, name="product_create"),
    path("products/import/", views.inventory_import, name="inventory_import"),
    path("products/import/template/", views.inventory_template, name="inventory_template"),
    path("products/import/<int:pk>/", views.inventory_import_detail, name="inventory_import_detail"),
    path("products/import/<int:pk>/apply/", views.inventory_import_apply, name="inventory_import_apply"),
    path("products/import/<int:pk>/undo/", views.inventory_import_undo, name="inventory_import_undo"),
    path("products/<int:pk>/", views.product_detail, name="product_detail"),
    path("products/<int:pk>/edit/", views.product_edit, name="product_edit"),
    path("products/families-page/", views.tools_page_settings, name="tools_page_settings"),
    path("products/<int:pk>/families/", views.product_families, name="product_families"),
    path("d/<slug:slug>/tools/", views.public_tools, name="public_tools"),
    path("d/<slug:slug>/tools/<int:pk>/", views.public_tool, name="public_tool"),
    path("products/<int:pk>/validations/", views.product_validations, name="product_validations"),
    path("products/validations/<int:pk>/delete/", views.validation_delete, name="validation_delete"),
    path("products/validations/expiring/", views.validations_expiring, name="validations_expiring"),
    path("products/<int:pk>/archive/", views.product_archive, name="product_archive"),
    path("products/<int:pk>/restore/", views.product_restore, name="product_restore"),
    path("products/<int:pk>/tone/", views.product_tone, name="product_tone"),
    path("products/<int:pk>/tone/status/", views.product_tone_status, name="product_tone_status"),
    path("products/<int:pk>/tone/retry/", views.product_tone_retry, name="product_tone_retry"),
    path("requests/", views.request_list, name="request_list"),
    path("requests/new/", views.request_create, name="request_create"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/accept/", views.request_accept, name="request_accept"),
    path("requests/<int:pk>/close/", views.request_close, name="request_close"),
    path("tone/", views.tone_preview, name="tone_preview"),
]
