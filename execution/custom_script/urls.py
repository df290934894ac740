"""Endpoint URLs of custom_script: parsed once, checked against the allow-list, shown safely.

One parser reads every URL — httpx2's, the one that sends the request — and the request is built
from the very parts that were checked, so no second parser can read a different host.

A base URL (FLOWEXEC_CUSTOM_SCRIPT_ALLOWED_URLS) allows the URLs *under* it: same scheme, same
host (compared in its ASCII form: case-folded, IDNA), same port (default ports filled in), and
a path equal to the base's or below it at a segment boundary (`https://h/api` allows `/api` and
`/api/x`, not `/apix`). Refused whatever the list says: schemes other than http and https, user
info (`user:pass@`: credentials belong in the server's token, not in a node), and a path with a
`.` or `..` segment, also percent-encoded, or a backslash (a server may resolve it to somewhere
outside the base). A query string is allowed and sent, but never shown: `Endpoint.shown` is what messages
quote (scheme, host, port, path).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx2

DEFAULT_PORTS = {"http": 80, "https": 443}


class UnusableUrl(ValueError):
    """A URL that cannot be an endpoint; the message never quotes the URL (it may hold a secret)."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A parsed http(s) URL without user info, fit to be checked and called."""

    url: httpx2.URL
    scheme: str
    # ASCII host (IDNA, lower case); an IPv6 literal without brackets.
    host: str
    port: int
    # Decoded path ("/" when empty).
    path: str

    @property
    def origin(self) -> tuple[str, str, int]:
        return self.scheme, self.host, self.port

    @property
    def shown(self) -> str:
        """The URL for a message: no query, no fragment (never any user info: refused)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        port = "" if DEFAULT_PORTS[self.scheme] == self.port else f":{self.port}"
        return f"{self.scheme}://{host}{port}{self.path}"

    def under(self, base: Endpoint) -> bool:
        """This URL is `base` or below it (see the module docstring)."""
        if self.origin != base.origin:
            return False
        prefix = base.path if base.path.endswith("/") else base.path + "/"
        return self.path == base.path or self.path.startswith(prefix)

    def join(self, location: str) -> Endpoint:
        """A redirect's Location, relative to this URL, parsed like any endpoint."""
        try:
            joined = self.url.join(location)
        except Exception:  # httpx2's InvalidURL and friends
            raise UnusableUrl("the redirect's Location is not a URL") from None
        return parse_endpoint(joined)


def parse_endpoint(value: str | httpx2.URL) -> Endpoint:
    """`value` as an Endpoint; UnusableUrl (without quoting it) when it cannot be one."""
    import httpx2

    try:
        url = value if isinstance(value, httpx2.URL) else httpx2.URL(value)
    except Exception:  # httpx2.InvalidURL, and a port out of range
        raise UnusableUrl("is not a URL") from None
    scheme = url.scheme
    if scheme not in DEFAULT_PORTS:
        raise UnusableUrl("must be an http or https URL")
    if url.userinfo:
        raise UnusableUrl("must not carry user info (user:password@): the server sends its own token")
    host = url.raw_host.decode("ascii").lower()
    if not host:
        raise UnusableUrl("has no host")
    port = url.port if url.port is not None else DEFAULT_PORTS[scheme]
    if not 0 < port < 65536:
        raise UnusableUrl("has a port out of range")
    path = url.path or "/"
    if any(segment in (".", "..") for segment in path.split("/")) or "\\" in path:
        raise UnusableUrl("must not have '.' or '..' path segments (nor a backslash)")
    return Endpoint(url, scheme, host, port, path)
