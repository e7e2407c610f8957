from django.contrib import admin

from .models import DistrictSignIn, EmailDomain, SignInFailures


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
