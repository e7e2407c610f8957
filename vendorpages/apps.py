from django.apps import AppConfig


class VendorPagesConfig(AppConfig):
    name = "vendorpages"
    verbose_name = "Vendor pages"
