from django.urls import path

from . import views

urlpatterns = [
    path("", views.rubric_list, name="rubric_list"),
    path("import/", views.rubric_import, name="rubric_import"),
    path("<int:pk>/", views.rubric_detail, name="rubric_detail"),
    path("adopt/", views.rubric_adopt, name="rubric_adopt"),
    path("<int:pk>/draft/", views.rubric_start_draft, name="rubric_start_draft"),
    path("versions/<int:pk>/", views.rubric_version, name="rubric_version"),
    path("versions/<int:pk>/publish/", views.rubric_version_publish, name="rubric_version_publish"),
    path("versions/<int:pk>/discard/", views.rubric_version_discard, name="rubric_version_discard"),
    path("versions/<int:pk>/preview/", views.rubric_version_preview, name="rubric_version_preview"),
    path("versions/<int:pk>/changes/", views.rubric_version_diff, name="rubric_version_diff"),
    path("versions/<int:pk>/export/", views.rubric_version_export, name="rubric_version_export"),
    path("versions/<int:version_pk>/criteria/new/", views.criterion_create, name="criterion_create"),
    path("criteria/<int:pk>/edit/", views.criterion_edit, name="criterion_edit"),
    path("criteria/<int:pk>/delete/", views.criterion_delete, name="criterion_delete"),
    path("criteria/<int:pk>/move/", views.criterion_move, name="criterion_move"),
    path("criteria/<int:criterion_pk>/questions/new/", views.question_create, name="question_create"),
    path("questions/<int:pk>/edit/", views.question_edit, name="question_edit"),
    path("questions/<int:pk>/delete/", views.question_delete, name="question_delete"),
    path("questions/<int:pk>/move/", views.question_move, name="question_move"),
]
