"""Database sessions, kept in the shared cache until the next write anywhere (assetlens.pagecache).

Every session write (sign-in, sign-out, kept answers) is a write like any other, so a signed-out session is
gone from the cache at once. Without Redis, or while it is unavailable, this is Django's database store.
"""

from django.contrib.sessions.backends import db

from . import pagecache


class SessionStore(db.SessionStore):
    def load(self):
        # An unknown or expired key is not kept: loading it is what starts a fresh session.
        loaded = pagecache.remembered(f"session:{self.session_key}", lambda: super(SessionStore, self).load() or None)
        return loaded or {}
