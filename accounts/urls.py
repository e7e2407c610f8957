from django.urls import path

from . import views

urlpatterns = [
    path("accounts/school/", views.school_account, name="school_account"),
    # Before allauth's own: a person's address and school-account links are not theirs to manage by hand.
    path("accounts/email/", views.not_here, name="account_email"),
    path("accounts/3rdparty/", views.not_here, name="socialaccount_connections"),
    path("settings/sign-in/", views.sign_in_settings, name="sign_in_settings"),
    path("settings/district/", views.district_settings, name="district_settings"),
]
