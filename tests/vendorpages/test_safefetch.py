"""Reading a vendor's page from its address without reaching anything but the public web.

The SSRF cases run with the DEFAULT setting (nothing allowed): each is refused with its reason and nothing is
fetched — proven against a real HTTP server on loopback that records every request it gets. The fetching
cases allow only that server (host and port), as an intranet install would allow its own mirror.
"""

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vendorpages import extract, safefetch
from vendorpages.safefetch import Limits, blocked_reason, fetch

# --- Refused with the default setting: never fetched --------------------------------------------------

REFUSED = [
    ("http://127.0.0.1/", "blocked", "loopback"),
    ("http://127.1.2.3/page", "blocked", "loopback"),
    ("http://localhost/", "blocked", "loopback"),  # a name that resolves to a loopback address
    ("http://2130706433/", "blocked", "loopback"),  # 127.0.0.1 written as one number
    ("http://0x7f.0.0.1/", "blocked", "loopback"),
    ("http://[::1]/", "blocked", "loopback"),
    ("http://[::ffff:127.0.0.1]/", "blocked", "loopback"),  # IPv4-mapped IPv6
    ("http://169.254.169.254/latest/meta-data/", "blocked", "metadata"),
    ("http://[::ffff:a9fe:a9fe]/latest/meta-data/", "blocked", "metadata"),  # the same, mapped
    ("http://[fd00:ec2::254]/latest/meta-data/", "blocked", "metadata"),
    ("http://10.0.0.7/", "blocked", "private"),
    ("http://172.16.4.2/", "blocked", "private"),
    ("https://192.168.1.1/admin", "blocked", "private"),
    ("http://[fd12:3456::1]/", "blocked", "private"),
    ("http://169.254.10.10/", "blocked", "link-local"),
    ("http://[fe80::1]/", "blocked", "link-local"),
    ("http://224.0.0.1/", "blocked", "multicast"),
    ("http://0.0.0.0/", "blocked", "unspecified"),
    ("http://240.0.0.1/", "blocked", "reserved"),
    ("http://100.64.0.1/", "blocked", "reserved"),  # carrier-grade NAT: not public
    ("file:///etc/passwd", "scheme", None),
    ("gopher://example.com:70/_GET", "scheme", None),
    ("ftp://example.com/brochure.pdf", "scheme", None),
    ("javascript:alert(1)", "scheme", None),
    ("https://example.com:8443/", "port", None),
    ("http://user:secret@example.com/", "credentials", None),
    ("http:///nohost", "invalid", None),
]


@pytest.mark.parametrize(("url", "code", "kind"), REFUSED)
def test_addresses_outside_the_public_web_are_refused_with_the_reason(url, code, kind):
    result = fetch(url)
    assert not result.ok and result.failure == code, result
    if kind:
        assert result.detail.split("|")[0] == kind
    assert result.body == b"" and result.size == 0


def test_the_test_server_itself_is_refused_without_the_setting_and_gets_no_request(vendor_site):
    for url in (vendor_site.url("/vendor"), f"http://localhost:{vendor_site.port}/vendor"):
        result = fetch(url)  # loopback, and a port other than 80/443
        assert result.failure in {"port", "blocked"}
    assert vendor_site.requests == []


def test_a_name_is_refused_when_any_of_its_addresses_is_private():
    # A name whose DNS answer mixes a public address with a private one is not fetched at all.
    result = fetch("https://vendor.example/", resolver=lambda host, port: ["93.184.216.34", "10.1.1.1"])
    assert result.failure == "blocked" and result.detail == "private|10.1.1.1|vendor.example"


def test_a_name_that_does_not_resolve_is_named():
    result = fetch("https://no-such-vendor.invalid/")
    assert result.failure == "unresolvable" and result.detail == "no-such-vendor.invalid"


@given(st.ip_addresses(v=4))
def test_an_ipv4_address_and_its_ipv4_mapped_form_get_the_same_verdict(address):
    mapped = ipaddress.IPv6Address(f"::ffff:{address}")
    assert blocked_reason(str(mapped)) == blocked_reason(str(address))
    if address.is_private or address.is_loopback or address.is_link_local or not address.is_global:
        assert blocked_reason(str(address)) is not None


# --- Fetching from an allowed host (the test's own server) --------------------------------------------


def test_a_vendor_page_is_read_with_a_clear_user_agent_and_its_main_text_extracted(vendor_site):
    result = fetch(vendor_site.url("/vendor"), allowed_hosts=[vendor_site.host])
    assert result.ok and result.status == 200 and result.content_type == "text/html" and result.charset == "utf-8"
    assert result.size == len(result.body) > 1000
    path, headers = vendor_site.requests[0]
    assert path == "/vendor" and headers["User-Agent"].startswith("AssetLens-VendorPages/")
    text = extract.main_text(result.body, result.charset)
    assert text.startswith("Reading that starts with your child")
    assert "builds on the languages your child speaks at home" in text
    assert "Book a demo" not in text and "analytics" not in text  # navigation and scripts are left out


def test_the_connection_goes_to_the_address_that_was_checked(vendor_site):
    """The name is resolved once per hop, by us; the HTTP client gets the checked address and the name only as
    Host, so a DNS answer that changes after the check (rebinding) is never used."""
    asked = []

    def resolver(host, port):
        asked.append(host)
        return ["127.0.0.1"]

    result = fetch(f"http://vendor.example:{vendor_site.port}/moved",
                   allowed_hosts=[f"vendor.example:{vendor_site.port}"], resolver=resolver)
    assert result.ok and result.final_url == f"http://vendor.example:{vendor_site.port}/vendor"
    assert asked == ["vendor.example", "vendor.example"]  # once for each hop
    assert [h["Host"] for _p, h in vendor_site.requests] == [f"vendor.example:{vendor_site.port}"] * 2


def test_up_to_five_redirects_are_followed_and_a_sixth_is_refused(vendor_site):
    allowed = [vendor_site.host]
    five = fetch(vendor_site.url("/chain/4"), allowed_hosts=allowed)
    assert five.ok and len(five.redirects) == 5 and five.final_url.endswith("/vendor")
    six = fetch(vendor_site.url("/chain/5"), allowed_hosts=allowed)
    assert six.failure == "too_many_redirects" and six.body == b""


@pytest.mark.parametrize(("path", "code", "detail"), [
    ("/redirect-private", "blocked", "private|10.0.0.7|10.0.0.7"),
    ("/redirect-metadata", "blocked", "metadata|169.254.169.254|169.254.169.254"),
    ("/redirect-file", "scheme", "file"),
])
def test_a_redirect_from_an_allowed_host_to_a_private_address_is_refused(vendor_site, path, code, detail):
    result = fetch(vendor_site.url(path), allowed_hosts=[vendor_site.host])
    assert (result.failure, result.detail) == (code, detail)
    assert [p for p, _h in vendor_site.requests] == [path]  # the hop was checked before any connection


def test_a_redirect_to_loopback_under_another_name_is_checked_again(vendor_site):
    # Allowed: 127.0.0.1:port. The redirect goes to localhost:port, which is not allowed, so it is refused.
    result = fetch(vendor_site.url("/redirect-loopback"), allowed_hosts=[vendor_site.host])
    assert result.failure in {"port", "blocked"}
    assert len(vendor_site.requests) == 1


def test_a_page_that_never_answers_times_out(vendor_site):
    result = fetch(vendor_site.url("/slow"), allowed_hosts=[vendor_site.host], limits=Limits(timeout=0.5))
    assert result.failure == "timeout" and result.body == b""


def test_a_page_that_trickles_forever_stops_at_the_total_time_limit(vendor_site):
    # Each byte arrives well within a read timeout; only the limit on the whole fetch stops it.
    result = fetch(vendor_site.url("/trickle"), allowed_hosts=[vendor_site.host], limits=Limits(timeout=0.6))
    assert result.failure == "timeout" and result.body == b""


@pytest.mark.parametrize("path", ["/huge", "/huge-declared"])
def test_a_page_of_a_gigabyte_stops_at_the_cap_and_keeps_nothing(vendor_site, path):
    result = fetch(vendor_site.url(path), allowed_hosts=[vendor_site.host])
    assert result.failure == "too_large" and result.body == b"" and result.size == 0


def test_reading_stops_soon_after_the_cap(vendor_site):
    # Without a declared length the body is read only until the cap is passed (the server sees a closed socket
    # long before its gigabyte is sent; a little slack for the socket buffers).
    fetch(vendor_site.url("/huge"), allowed_hosts=[vendor_site.host], limits=Limits(max_bytes=256 * 1024))
    vendor_site.stop()  # wait for the handler to notice
    assert vendor_site.httpd.huge_sent < 64 * 1024 * 1024


@pytest.mark.parametrize(("path", "kind"), [("/brochure.pdf", "application/pdf"), ("/logo.png", "image/png")])
def test_a_pdf_or_an_image_is_not_a_web_page(vendor_site, path, kind):
    result = fetch(vendor_site.url(path), allowed_hosts=[vendor_site.host])
    assert (result.failure, result.detail, result.body) == ("not_html", kind, b"")


def test_an_error_page_is_an_http_error(vendor_site):
    result = fetch(vendor_site.url("/gone"), allowed_hosts=[vendor_site.host])
    assert (result.failure, result.status) == ("http_error", 404)


def test_a_closed_port_is_refused(vendor_site):
    port = vendor_site.port
    vendor_site.stop()
    result = fetch(f"http://127.0.0.1:{port}/vendor", allowed_hosts=[f"127.0.0.1:{port}"])
    assert result.failure == "refused"


def test_allowed_hosts_take_names_and_ports():
    target = safefetch.check_url("http://mirror.district.internal/x?y=1", ["mirror.district.internal"])
    assert (target.host, target.port, target.path, target.allowed) == ("mirror.district.internal", 80, "/x?y=1",
                                                                       True)
    with pytest.raises(safefetch.Refused) as refused:
        safefetch.check_url("http://mirror.district.internal:8080/", ["mirror.district.internal"])
    assert refused.value.code == "port"
    assert safefetch.check_url("http://[::1]:8080/", ["[::1]:8080"]).allowed
