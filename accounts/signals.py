"""On sign-in the account's failed attempts are forgotten and the browser is remembered for it; email addresses
are kept in lower case."""

from allauth.account.signals import password_reset, user_logged_in
from django.contrib.auth.models import User
from django.db.models.signals import pre_save
from django.dispatch import receiver

from . import devices, services


@receiver(user_logged_in)
def remember_browser(sender, request, response, user, **kwargs):
    services.clear_failed_sign_ins(user.pk, devices.known_device(request, f"user:{user.pk}"))
    if response is not None:
        devices.remember(request, response, user.pk)


@receiver(password_reset)
def reset_is_the_way_back(sender, request, user, **kwargs):
    """A new password chosen through the emailed link proves the mailbox: the account's wait ends."""
    services.clear_failed_sign_ins(user.pk, None)


@receiver(pre_save, sender=User)
def email_in_lower_case(sender, instance, **kwargs):
    """allauth finds people by email in lower case (sign-in, password reset): keep every address that way,
    however it was typed in the Django admin, by createsuperuser or a script."""
    if instance.email:
        instance.email = instance.email.strip().lower()
