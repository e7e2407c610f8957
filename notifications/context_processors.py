"""The unread count in the header: counted lazily, so only a page that shows the header pays its one query."""

from .selectors import UnreadCount


def unread_notifications(request):
    user = getattr(request, "user", None)
    district = getattr(request, "district", None)
    if user is None or not user.is_authenticated or district is None:
        return {}
    return {"unread_notifications": UnreadCount(user.id, district.id)}
