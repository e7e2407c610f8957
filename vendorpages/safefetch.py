"""Fetch a vendor's web page without letting the address reach anything but the public web.

A person types the address, so it is treated as hostile: only http and https, only ports 80 and 443, and
every address the host name resolves to (at every redirect hop, resolved again) must be a public one. The
connection is then made to the very address that was checked, with the host name sent as `Host` and as the
TLS server name, so a DNS answer that changes between the check and the connection (DNS rebinding) cannot
redirect it. At most 5 redirects, 2 MB of body (reading stops there) and 15 s in all.

`allowed_hosts` lets tests and intranet installs name hosts (or host:port pairs) that may be fetched even
though they resolve to a private address; a redirect from an allowed host to any other host is checked again.

No Django here: plain data in, a FetchResult out. Failures are codes (see FAILURES) with a short detail
(an address, a status, a content type; for "blocked": "kind|address|host"), so the pages can word them in the
reader's language.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    SSLError,
)

USER_AGENT = "AssetLens-VendorPages/1.0 (+reads a product's public pages for a school district's review)"
MAX_REDIRECTS = 5
MAX_BYTES = 2 * 1024 * 1024
TIMEOUT_SECONDS = 15.0
DEFAULT_PORTS = {"http": 80, "https": 443}
HTML_TYPES = ("text/html", "application/xhtml+xml")
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
CHUNK = 64 * 1024

# Cloud metadata services, refused even where a link-local or private range were allowed some day.
METADATA_ADDRESSES = frozenset({ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")})

FAILURES = (
    "invalid",  # not a web address at all
    "scheme",  # file:, gopher:, ftp:, javascript: ...
    "port",  # a port other than 80/443 not allowed by the setting
    "credentials",  # user:password@ in the address
    "blocked",  # resolves to a loopback, private, link-local, multicast, reserved or metadata address
    "unresolvable",  # the host name has no address
    "refused",  # the connection was refused, reset or failed (TLS included)
    "timeout",  # no complete answer within the time limit
    "too_many_redirects",
    "not_html",  # a PDF, an image, JSON ...
    "too_large",  # more than MAX_BYTES
    "http_error",  # the server answered 4xx or 5xx
)

Resolver = Callable[[str, int], list[str]]


class Refused(Exception):
    """An address refused before or during the fetch, with its failure code and detail."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Limits:
    max_bytes: int = MAX_BYTES
    timeout: float = TIMEOUT_SECONDS
    max_redirects: int = MAX_REDIRECTS


@dataclass(frozen=True)
class FetchResult:
    """What a fetch brought back. `ok` pages carry the body (at most max_bytes); failures carry no body."""

    url: str  # the address asked for
    final_url: str  # after redirects
    ok: bool
    status: int | None = None  # the HTTP status of the last answer, when there was one
    content_type: str = ""
    charset: str | None = None
    size: int = 0  # bytes read (for too_large: how far reading went before stopping)
    body: bytes = b""
    failure: str = ""  # one of FAILURES
    detail: str = ""
    redirects: list[str] = field(default_factory=list)


def blocked_reason(address: str) -> str | None:
    """Why an IP address must not be fetched ('loopback', 'private', 'metadata' ...), or None for a public one.

    IPv4-mapped IPv6 (::ffff:127.0.0.1) is judged as the IPv4 address it carries."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip in METADATA_ADDRESSES:
        return "metadata"
    for reason, flag in (("unspecified", ip.is_unspecified), ("loopback", ip.is_loopback),
                         ("link-local", ip.is_link_local), ("multicast", ip.is_multicast),
                         ("reserved", ip.is_reserved), ("private", ip.is_private)):
        if flag:
            return reason
    if not ip.is_global:  # shared address space (100.64/10), 6to4 and other special ranges
        return "reserved"
    return None


def _host_entries(allowed_hosts: Iterable[str]) -> tuple[set[str], set[tuple[str, int]]]:
    """Split 'host' and 'host:port' entries ('[::1]:8080' for IPv6) into names and (name, port) pairs."""
    names: set[str] = set()
    pairs: set[tuple[str, int]] = set()
    for entry in allowed_hosts:
        entry = entry.strip().lower()
        if not entry:
            continue
        parts = urlsplit(f"//{entry}")
        host = (parts.hostname or "").strip("[]")
        try:
            port = parts.port
        except ValueError:
            continue
        if port is None:
            names.add(host)
        else:
            pairs.add((host, port))
    return names, pairs


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # lower-case, IDNA-encoded, without brackets
    port: int
    path: str  # path and query, what goes on the request line
    allowed: bool  # named by the setting: its addresses are not checked


def check_url(url: str, allowed_hosts: Iterable[str] = ()) -> Target:
    """The parts of `url` to connect to, or Refused: scheme, port, credentials and literal addresses are
    judged here, without any network. Host names are judged once resolved (see resolve_checked)."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise Refused("invalid", url[:200]) from exc
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise Refused("scheme", scheme or url[:40])
    if parts.username is not None or parts.password is not None:
        raise Refused("credentials")
    raw_host = (parts.hostname or "").strip().rstrip(".")
    if not raw_host:
        raise Refused("invalid", url[:200])
    try:
        host = raw_host.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise Refused("invalid", raw_host[:200]) from exc
    port = port if port is not None else DEFAULT_PORTS[scheme]
    names, pairs = _host_entries(allowed_hosts)
    allowed = (host, port) in pairs or (host in names and port in DEFAULT_PORTS.values())
    if not allowed and port not in DEFAULT_PORTS.values():
        raise Refused("port", str(port))
    if not allowed:
        try:
            reason = blocked_reason(host)
        except ValueError:
            reason = None  # a name, not an address: judged once resolved
        if reason:
            raise Refused("blocked", f"{reason}|{host}|{host}")
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(scheme, host, port, path, allowed)


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def resolve_checked(target: Target, resolver: Resolver = system_resolver) -> str:
    """The address to connect to: every address the host resolves to must be public (unless the host is
    allowed by name), and the first one is used, so the connection goes where the check looked."""
    try:
        addresses = resolver(target.host, target.port)
    except (OSError, UnicodeError) as exc:
        raise Refused("unresolvable", target.host) from exc
    if not addresses:
        raise Refused("unresolvable", target.host)
    if not target.allowed:
        for address in addresses:
            reason = blocked_reason(address)
            if reason:
                raise Refused("blocked", f"{reason}|{address}|{target.host}")
    return addresses[0]


def _pool(target: Target, address: str, timeout: float) -> urllib3.HTTPConnectionPool:
    kind = urllib3.Timeout(connect=max(timeout, 0.01), read=max(timeout, 0.01))
    if target.scheme == "https":
        # Connect to the checked address; the certificate is verified against the host name.
        return urllib3.HTTPSConnectionPool(address, target.port, timeout=kind, retries=False, maxsize=1,
                                           server_hostname=target.host, assert_hostname=target.host,
                                           cert_reqs="CERT_REQUIRED")
    return urllib3.HTTPConnectionPool(address, target.port, timeout=kind, retries=False, maxsize=1)


def _host_header(target: Target) -> str:
    host = f"[{target.host}]" if ":" in target.host else target.host
    return host if target.port == DEFAULT_PORTS[target.scheme] else f"{host}:{target.port}"


def _content_type(value: str) -> tuple[str, str | None]:
    kind, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, val = param.strip().partition("=")
        if name.strip().lower() == "charset" and val.strip():
            charset = val.strip().strip("\"'")
    return kind.strip().lower(), charset


def _looks_like_html(start: bytes) -> bool:
    head = start.lstrip()[:512].lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<!--", b"<meta", b"<title"))


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise Refused("timeout")
    return left


def _read_capped(response: urllib3.BaseHTTPResponse, limits: Limits, deadline: float) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limits.max_bytes:
        raise Refused("too_large", declared)
    chunks: list[bytes] = []
    size = 0
    sock = getattr(getattr(response, "connection", None), "sock", None)
    while True:
        if sock is not None:
            sock.settimeout(_remaining(deadline))  # each read waits only as long as the whole fetch may
        else:
            _remaining(deadline)
        chunk = response.read1(CHUNK)
        if not chunk:
            break
        size += len(chunk)
        if size > limits.max_bytes:
            raise Refused("too_large", f">{limits.max_bytes}")
        chunks.append(chunk)
    return b"".join(chunks)


def fetch(url: str, *, allowed_hosts: Sequence[str] = (), limits: Limits = Limits(),
          resolver: Resolver = system_resolver, user_agent: str = USER_AGENT) -> FetchResult:
    """GET `url` safely (see the module docstring). Never raises for anything the address or server does."""
    deadline = time.monotonic() + limits.timeout
    current = url
    redirects: list[str] = []
    status: int | None = None
    content_type = ""
    try:
        for _hop in range(limits.max_redirects + 1):
            target = check_url(current, allowed_hosts)
            address = resolve_checked(target, resolver)
            pool = _pool(target, address, _remaining(deadline))
            try:
                response = pool.urlopen(
                    "GET", target.path, redirect=False, retries=False, preload_content=False,
                    assert_same_host=False, decode_content=True,
                    headers={"Host": _host_header(target), "User-Agent": user_agent,
                             "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
                             "Accept-Encoding": "identity"},
                )
                status = response.status
                if status in REDIRECT_STATUSES and response.headers.get("Location"):
                    redirects.append(current)
                    current = urljoin(current, response.headers["Location"].strip())
                    continue
                content_type, charset = _content_type(response.headers.get("Content-Type", ""))
                if status >= 400:
                    raise Refused("http_error", str(status))
                if content_type and content_type not in HTML_TYPES:
                    raise Refused("not_html", content_type)
                body = _read_capped(response, limits, deadline)
                if not content_type and not _looks_like_html(body):
                    raise Refused("not_html", "unknown")
                return FetchResult(url=url, final_url=current, ok=True, status=status, content_type=content_type,
                                   charset=charset, size=len(body), body=body, redirects=redirects)
            finally:
                pool.close()
        raise Refused("too_many_redirects", str(limits.max_redirects))
    except Refused as refused:
        return FetchResult(url=url, final_url=current, ok=False, status=status, content_type=content_type,
                           failure=refused.code, detail=refused.detail, redirects=redirects)
    except NewConnectionError as exc:  # a subclass of ConnectTimeoutError in urllib3, but a refusal
        return FetchResult(url=url, final_url=current, ok=False, status=status, failure="refused",
                           detail=type(exc).__name__, redirects=redirects)
    except (ConnectTimeoutError, ReadTimeoutError, TimeoutError):
        return FetchResult(url=url, final_url=current, ok=False, status=status, failure="timeout",
                           redirects=redirects)
    except (SSLError, ProtocolError, HTTPError, OSError) as exc:
        if _is_timeout(exc):
            return FetchResult(url=url, final_url=current, ok=False, status=status, failure="timeout",
                               redirects=redirects)
        return FetchResult(url=url, final_url=current, ok=False, status=status, failure="refused",
                           detail=type(exc).__name__, redirects=redirects)


def _is_timeout(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    for _ in range(5):
        if seen is None:
            return False
        if isinstance(seen, (TimeoutError, ConnectTimeoutError, ReadTimeoutError)):
            return True
        seen = seen.__cause__ or seen.__context__ or (seen.args[0] if seen.args and isinstance(
            seen.args[0], BaseException) else None)
    return False
