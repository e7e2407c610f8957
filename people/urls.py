from django.urls import path

from . import views

urlpatterns = [
    path("people/", views.people_list, name="people_list"),
    path("people/invite/", views.people_invite, name="people_invite"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/role/", views.person_role, name="person_role"),
    path("people/<int:pk>/deactivate/", views.person_deactivate, name="person_deactivate"),
    path("people/<int:pk>/reactivate/", views.person_reactivate, name="person_reactivate"),
    path("people/invitations/<int:pk>/resend/", views.invitation_resend, name="invitation_resend"),
    path("people/invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("people/invitations/<int:pk>/restore/", views.invitation_restore, name="invitation_restore"),
    path("join/<str:token>/", views.join, name="join"),
    path("districts/", views.district_overview, name="district_overview"),
    path("districts/<int:pk>/people/", views.district_people, name="district_people"),
]
