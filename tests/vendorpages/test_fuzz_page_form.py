"""Whatever is typed or pasted as a page address, the form answers with a reason (never a 500) and keeps what
was typed; nothing outside the public web is saved, let alone fetched."""

import pytest
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vendorpages import safefetch
from vendorpages.models import VendorPage

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=300)
hostile = st.sampled_from([
    "", " ", "\x00", "http://", "https://", "file:///etc/passwd", "gopher://127.0.0.1:70/_x", "javascript:alert(1)",
    "http://127.0.0.1/", "http://[::1]/", "http://[::ffff:169.254.169.254]/", "http://169.254.169.254/latest",
    "http://10.0.0.1/", "http://0x7f000001/", "http://user:pw@example.com/", "https://example.com:99999/",
    "https://example.com:0/", "http://[fd00:ec2::254]/", "http://exa mple.com/", "https://例え.jp/", "x" * 2500,
    "http://" + "a" * 300 + ".com/", "http:/\\/evil.example", "//evil.example/x", "https://[::1/",
])
address = st.one_of(any_text, hostile, st.builds(lambda h, p: f"http://{h}/{p}", any_text, any_text))
kind = st.one_of(st.sampled_from(["landing", "families", "app_store", "other"]), any_text)


@FUZZ
@given(url=address, page_kind=kind)
def test_the_page_form_never_fails_and_keeps_what_was_typed(leader_client, product, url, page_kind):
    response = leader_client.post(reverse("vendor_page_add", args=[product.pk]), {"kind": page_kind, "url": url})
    assert response.status_code in {302, 400}, (url, page_kind)
    if response.status_code == 400:
        body = response.content.decode()
        assert "A few fields need a look" in body
        typed = url.strip()
        if typed and "\x00" not in typed and len(typed) <= 2000:
            assert escape(typed) in body, typed
    for page in VendorPage.objects.filter(product=product):
        # Whatever was saved passes the same check the worker makes before resolving (which then judges names).
        target = safefetch.check_url(page.url)
        assert target.scheme in {"http", "https"} and target.port in {80, 443}, page.url
