import pytest

from tests.vendorpages.vendorserver import VendorSite


@pytest.fixture
def vendor_site():
    site = VendorSite()
    yield site
    site.stop()


@pytest.fixture
def allow_vendor_site(settings, vendor_site):
    """The test server on loopback, allowed by name and port as an intranet install would allow its mirror."""
    settings.VENDORPAGES_ALLOWED_HOSTS = [vendor_site.host]
    return vendor_site
