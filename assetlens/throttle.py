"""The name django-axes records for a failed sign-in.

Axes stores the tried username in a 255-character column; without a cap, a pasted paragraph in the
username box made PostgreSQL refuse the insert and the sign-in page answer with a 500. No real username
is longer than the User model's 150 characters, so cutting there changes no one's lockout.
"""

from django.contrib.auth import get_user_model


def username_for_lockout(request, credentials=None):
    if credentials:
        username = credentials.get("username")
    else:
        username = getattr(request, "data", request.POST).get("username")
    if username is None:
        return None
    return str(username)[: get_user_model()._meta.get_field("username").max_length]
