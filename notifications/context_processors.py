"""The unread count in the header: the summary column on the person's membership, loaded with them on every
request (assetlens.auth), so the header costs no query."""

from .selectors import unread_label


def unread_notifications(request):
    membership = getattr(request, "membership", None)
    if membership is None:
        return {}
    count = membership.unread_notifications
    return {"unread_notifications": {"count": count, "label": unread_label(count)}}
