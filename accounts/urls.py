from django.urls import path

from . import views

urlpatterns = [
    path("accounts/school/", views.school_account, name="school_account"),
    path("settings/sign-in/", views.sign_in_settings, name="sign_in_settings"),
]
