"""Sign-in backend: allauth's (email or username, and password), reading the person with their membership and
district, since every page needs all three.

One query per request, never cached: a deactivated account, a changed password, a new role or a removed
membership counts from the very next request, whatever state Redis is in.
"""

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user_model


class ModelBackend(AuthenticationBackend):
    def get_user(self, user_id):
        User = get_user_model()
        try:
            user = User._default_manager.select_related("membership__district").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
