import redis
from django.conf import settings
from django.db import connection
from django.http import HttpResponse, JsonResponse

# A frozen Redis accepts the connection and never answers: without a read timeout the check would hang the load
# balancer's probe (and a web worker with it). Half a second each way, no retries: about 1 s at worst.
BROKER_CHECK_TIMEOUT = 0.5


def health(request):
    """For load balancers and `docker compose`: is the database reachable, is the broker reachable."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy, and we say which
        checks["database"] = f"error: {exc.__class__.__name__}"
    if settings.REDIS_URL:
        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=BROKER_CHECK_TIMEOUT,
                                 socket_timeout=BROKER_CHECK_TIMEOUT, retry=None).ping()
            checks["broker"] = "ok"
        except Exception as exc:  # noqa: BLE001
            checks["broker"] = f"error: {exc.__class__.__name__}"
    else:
        checks["broker"] = "in-process"
    healthy = all(v in {"ok", "in-process"} for v in checks.values())
    return JsonResponse({"status": "ok" if healthy else "degraded", **checks}, status=200 if healthy else 503)


def ping(request):
    """The trivial view benchmarks compare real pages against."""
    return HttpResponse("pong", content_type="text/plain")
