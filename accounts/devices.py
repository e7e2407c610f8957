"""Browsers that signed in as someone before (a signed cookie): their attempts have their own count, so
wrong guesses by someone else, behind the same school address or anywhere, never lock that person out."""

import json
import secrets

from django.core import signing
from django.http import HttpRequest, HttpResponse

COOKIE = "assetlens_devices"
SALT = "assetlens.devices"
MAX_AGE = 180 * 24 * 3600
MAX_PEOPLE = 10  # a shared school computer remembers its last ten people


def _read(request: HttpRequest) -> dict[str, str]:
    try:
        value = json.loads(request.get_signed_cookie(COOKIE, salt=SALT, max_age=MAX_AGE))
    except (KeyError, signing.BadSignature, ValueError, TypeError):
        return {}
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def known_device(request: HttpRequest, account: str) -> str | None:
    """"<user id>:<nonce>" when this browser signed in as the account before, else None."""
    if not account.startswith("user:"):
        return None
    user_id = account.removeprefix("user:")
    nonce = _read(request).get(user_id)
    return f"{user_id}:{nonce}" if nonce else None


def remember(request: HttpRequest, response: HttpResponse, user_id: int) -> None:
    people = _read(request)
    people.pop(str(user_id), None)
    people[str(user_id)] = secrets.token_urlsafe(16)
    kept = dict(list(people.items())[-MAX_PEOPLE:])
    response.set_signed_cookie(COOKIE, json.dumps(kept), salt=SALT, max_age=MAX_AGE, httponly=True,
                               samesite="Lax", secure=request.is_secure())
