"""Database sessions, kept in the shared cache until the next write outside a district's own tables
(assetlens.pagecache).

Every session write (sign-in, sign-out, kept answers) is a write like any other, so a signed-out session is
gone from the cache at once; a kept session still ends at its expiry date. Without Redis, or while it is
unavailable, this is Django's database store.
"""

from django.contrib.sessions.backends import db
from django.utils import timezone

from . import pagecache


class SessionStore(db.SessionStore):
    def load(self):
        def from_database():
            row = self._get_session_from_db()  # an unknown or expired key is not kept: None
            return (self.decode(row.session_data), row.expire_date) if row else None

        kept = pagecache.remembered(f"session:{self.session_key}", from_database)
        if kept is None or kept[1] <= timezone.now():
            self._session_key = None  # as the database store does: a fresh session starts
            return {}
        return kept[0]
