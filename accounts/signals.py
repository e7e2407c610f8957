"""On sign-in: the account's failed attempts are forgotten and the browser is remembered for it."""

from allauth.account.signals import user_logged_in
from django.dispatch import receiver

from . import devices, services


@receiver(user_logged_in)
def remember_browser(sender, request, response, user, **kwargs):
    services.clear_failed_sign_ins(user.pk, devices.known_device(request, f"user:{user.pk}"))
    if response is not None:
        devices.remember(request, response, user.pk)
