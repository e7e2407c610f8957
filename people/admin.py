from django.contrib import admin

from .models import Invitation


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Site staff can see who was invited where; the link's secret is never shown (only its hash is kept)."""

    list_display = ["email", "district", "role", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["district", "role"]
    search_fields = ["email"]
    readonly_fields = ["token_hash", "mail", "accepted_at", "accepted_by", "invited_by", "created_at"]
