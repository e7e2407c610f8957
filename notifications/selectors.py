"""Read a person's notifications and choices: always through their own id and district."""


from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator

from .models import DEFAULT_DELIVERY, Delivery, Kind, Notification, Preference

PAGE_SIZE = 20
# The header says "99+" beyond this.
COUNT_UP_TO = 100


def unread_label(count: int) -> str:
    """The header's badge: the count, or "99+" beyond it."""
    return f"{COUNT_UP_TO - 1}+" if count >= COUNT_UP_TO else str(count)


def page_for(user_id: int, district_id: int, number: str | None) -> Page:
    notifications = Notification.objects.filter(recipient_id=user_id, district_id=district_id).only(
        "id", "event", "params", "link", "created_at", "read_at")
    return Paginator(notifications, PAGE_SIZE).get_page(number)


def own_notification(user_id: int, district_id: int, pk: int) -> Notification | None:
    return Notification.objects.filter(pk=pk, recipient_id=user_id, district_id=district_id).first()


def deliveries_for(user_id: int) -> dict[str, str]:
    """Each kind's delivery for this person: their choice, else the default."""
    chosen = dict(Preference.objects.filter(user_id=user_id).values_list("kind", "delivery"))
    return {kind: chosen.get(kind, DEFAULT_DELIVERY[Kind(kind)]) for kind in Kind.values}


def delivery_for(user_id: int, kind: str) -> str:
    chosen = Preference.objects.filter(user_id=user_id, kind=kind).values_list("delivery", flat=True).first()
    return chosen or DEFAULT_DELIVERY[Kind(kind)]


def kinds_on(user_id: int, delivery: str) -> list[str]:
    return [kind for kind, chosen in deliveries_for(user_id).items() if chosen == delivery]


def waiting_for_digest() -> list[int]:
    """People with notifications waiting for their daily digest."""
    return list(Notification.objects.filter(delivery=Delivery.DIGEST, digested_at__isnull=True)
                .values_list("recipient_id", flat=True).distinct().order_by("recipient_id")[:5000])


def person_exists(user_id: int) -> bool:
    return get_user_model().objects.filter(pk=user_id).exists()
