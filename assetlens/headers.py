"""Pages and files shown to a signed-in person are never kept by a browser or a proxy: on a school's shared
computer the next person must not find them in the back button, the disk cache or a proxy.

Placed after WhiteNoise, which answers for public static files itself, so those keep their long cache.
"""

from django.conf import settings


class PrivatePagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # The session key comes from the cookie without reading the database (a 503 while it is away too); a
        # stale cookie of a signed-out person also gets it, which costs nothing.
        session = getattr(request, "session", None)
        if (session is not None and session.session_key) or settings.SESSION_COOKIE_NAME in response.cookies:
            response["Cache-Control"] = "private, no-store"
        return response
