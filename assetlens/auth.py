"""Sign-in backend: the person with their membership and district, since every page needs all three.

Loaded in one query, and kept in the shared cache until the next write outside a district's own tables
(assetlens.pagecache): a deactivated account, a changed password or a new role counts from the very next request.
"""

from django.contrib.auth import backends, get_user_model

from . import pagecache


class ModelBackend(backends.ModelBackend):
    def get_user(self, user_id):
        user = pagecache.remembered(f"user:{user_id}", lambda: self._load(user_id))
        return user if user is not None and self.user_can_authenticate(user) else None

    @staticmethod
    def _load(user_id):
        try:
            return get_user_model()._default_manager.select_related("membership__district").get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
