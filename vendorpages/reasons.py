"""Why a vendor page could not be read, in the reader's language: safefetch's failure codes worded for people."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

BLOCKED_KINDS = {
    "loopback": gettext_lazy("this server itself (a loopback address)"),
    "private": gettext_lazy("a private network address"),
    "link-local": gettext_lazy("a link-local address"),
    "metadata": gettext_lazy("a cloud metadata service"),
    "multicast": gettext_lazy("a multicast address"),
    "reserved": gettext_lazy("a reserved address"),
    "unspecified": gettext_lazy("an unspecified address (0.0.0.0)"),
}

SHORT = {
    "invalid": gettext_lazy("not a web address"),
    "scheme": gettext_lazy("not a web address"),
    "port": gettext_lazy("port not allowed"),
    "credentials": gettext_lazy("password in the address"),
    "blocked": gettext_lazy("blocked address"),
    "unresolvable": gettext_lazy("site not found"),
    "refused": gettext_lazy("refused"),
    "timeout": gettext_lazy("timeout"),
    "too_many_redirects": gettext_lazy("too many redirects"),
    "not_html": gettext_lazy("not HTML"),
    "too_large": gettext_lazy("too large"),
    "http_error": gettext_lazy("error from the site"),
    "extract": gettext_lazy("no text found"),
    "lost": gettext_lazy("worker stopped"),
}


def explain(code: str, detail: str = "") -> str:
    """One sentence saying why a page was not read (or not allowed), with the detail woven in."""
    if code == "blocked":
        kind, _sep, rest = detail.partition("|")
        address, _sep, host = rest.partition("|")
        what = BLOCKED_KINDS.get(kind, BLOCKED_KINDS["reserved"])
        if host and host != address:
            return _("%(host)s leads to %(address)s, %(what)s. Only public web pages are read, so it was not "
                     "fetched.") % {"host": host, "address": address, "what": what}
        return _("%(address)s is %(what)s. Only public web pages are read, so it was not fetched.") % {
            "address": address or detail, "what": what}
    messages = {
        "invalid": _("This is not a web address. Use one that starts with https:// or http://."),
        "scheme": _("Only http and https addresses are read (this one starts with “%(detail)s:”)."),
        "port": _("Only the usual web ports (80 and 443) are read; this address uses port %(detail)s."),
        "credentials": _("The address contains a user name or password. Use the public address of the page."),
        "unresolvable": _("No site answers to the name %(detail)s. Check the address for typos."),
        "refused": _("The site refused the connection or closed it before answering."),
        "timeout": _("The site did not answer in time (15 seconds). It may be slow or down; try again later."),
        "too_many_redirects": _("The page sent us on more than %(detail)s redirects, so we stopped following."),
        "not_html": _("The address answers with a file that is not a web page (%(detail)s), such as a PDF or an "
                      "image."),
        "too_large": _("The page is larger than 2 MB, so reading stopped there and nothing was kept."),
        "http_error": _("The site answered with an error (HTTP %(detail)s)."),
        "extract": _("The page had no readable text (it may be drawn by scripts)."),
        "lost": _("The worker stopped %(detail)s times while reading this page."),
    }
    return messages.get(code, _("The page could not be read.")) % {"detail": detail}


def short(code: str) -> str:
    return str(SHORT.get(code, code))
