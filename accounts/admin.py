from allauth.socialaccount.admin import SocialAppAdmin, SocialAppForm
from allauth.socialaccount.models import SocialApp
from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import DistrictSignIn, EmailDomain, SignInFailures


class SecretKeptForm(SocialAppForm):
    """A client secret is typed, never shown back; left blank it keeps the one saved."""

    secret = forms.CharField(label=_("Client secret"), required=False, max_length=191,
                             widget=forms.PasswordInput(render_value=False, attrs={"size": "100"}),
                             help_text=_("Leave blank to keep the secret already saved."))

    def clean_secret(self):
        return self.cleaned_data["secret"] or (self.instance.secret if self.instance.pk else "")


class SecretKeptSocialAppAdmin(SocialAppAdmin):
    form = SecretKeptForm


admin.site.unregister(SocialApp)
admin.site.register(SocialApp, SecretKeptSocialAppAdmin)


class EmailDomainInline(admin.TabularInline):
    model = EmailDomain
    extra = 1


@admin.register(DistrictSignIn)
class DistrictSignInAdmin(admin.ModelAdmin):
    """Site staff set up a district's single sign-on here: the provider, client id, secret and server URL are
    the linked social application's (Social accounts › Social applications)."""

    list_display = ["district", "social_app", "auto_join_as_leader", "require_two_step_for_admins"]
    autocomplete_fields = ["district"]
    raw_id_fields = ["social_app"]
    inlines = [EmailDomainInline]


@admin.register(SignInFailures)
class SignInFailuresAdmin(admin.ModelAdmin):
    """Who is waiting to sign in and why; deleting a row lets them try again at once."""

    list_display = ["scope", "key", "failures", "first_failure_at", "last_failure_at"]
    list_filter = ["scope"]
