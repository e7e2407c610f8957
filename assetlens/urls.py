from allauth.account import views as account_views
from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from . import views

# The admin site signs in through allauth, so staff pass its two-step sign-in too.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    # The names "login" and "logout" stay: templates, LOGIN_URL and tests use them.
    path("accounts/login/", account_views.login, name="login"),
    path("accounts/logout/", account_views.logout, name="logout"),
    # Ours first: "Use your school account", and allauth pages we do not offer.
    path("", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("health/", views.health, name="health"),
    path("ping/", views.ping, name="ping"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("rubrics/", include("rubrics.urls")),
    path("", include("audits.urls")),
    path("", include("products.urls")),
    path("", include("committees.urls")),
    path("", include("people.urls")),
    path("", include("vendorpages.urls")),
    path("", include("notifications.urls")),
]

# The database away: a 503 that says so and keeps an audit section's posted answers (assetlens/stash.py).
handler500 = "assetlens.stash.server_error"
