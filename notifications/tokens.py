"""The one-click unsubscribe link: signed (django.core.signing) with the person and the kind it stops, so it
works without signing in and cannot be changed to stop someone else's mail."""

from dataclasses import dataclass

from django.core import signing
from django.utils.translation import gettext as _

from .models import Kind

SALT = "notifications.unsubscribe"
# Not a kind: "every kind I get in my daily digest", for the digest email's own unsubscribe link.
DIGEST = "digest"


class BadToken(Exception):
    """The link was changed, cut short or is not ours; `reason` says which, for the page."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Unsubscribe:
    user_id: int
    kind: str


def make(user_id: int, kind: str) -> str:
    return signing.dumps({"u": user_id, "k": kind}, salt=SALT)


def read(token: str) -> Unsubscribe:
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature as exc:
        raise BadToken(_("This unsubscribe link was changed or cut short, so it cannot be checked. Copy the whole "
                         "link from the email, or choose your emails on the notification settings page.")) from exc
    except (ValueError, UnicodeError) as exc:  # a signature that checks out over something we never wrote
        raise BadToken(_("This unsubscribe link is not one AssetLens sent.")) from exc
    if not isinstance(data, dict):
        raise BadToken(_("This unsubscribe link is not one AssetLens sent."))
    user_id, kind = data.get("u"), data.get("k")
    if not isinstance(user_id, int) or isinstance(user_id, bool) or kind not in (*Kind.values, DIGEST):
        raise BadToken(_("This unsubscribe link is not one AssetLens sent."))
    return Unsubscribe(user_id=user_id, kind=kind)
