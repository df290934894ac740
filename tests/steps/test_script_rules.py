"""custom_script's rules as data: which addresses are refused, which URLs an allow-list admits,
and the settings that are checked at start-up."""

from __future__ import annotations

import ipaddress

import pytest

from execution.config_error import ConfigurationError
from execution.custom_script.addresses import refusal
from execution.custom_script.settings import CustomScriptSettings
from execution.custom_script.urls import UnusableUrl, parse_endpoint


@pytest.mark.parametrize(("address", "kind"), [
    ("127.0.0.1", "loopback"), ("127.8.9.10", "loopback"), ("::1", "loopback"),
    ("10.0.0.1", "private"), ("172.16.5.4", "private"), ("192.168.1.1", "private"),
    ("169.254.169.254", "link-local"), ("fe80::1", "link-local"),
    ("fc00::1", "unique-local"), ("fd12:3456::1", "unique-local"),
    ("224.0.0.1", "multicast"), ("ff02::1", "multicast"),
    ("0.0.0.0", "unspecified"), ("::", "unspecified"),
    ("100.64.0.1", "shared"), ("240.0.0.1", "reserved"),
    ("::ffff:127.0.0.1", "loopback"), ("::ffff:169.254.169.254", "link-local"),
    ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 of 169.254.169.254
    ("2002:7f00:1::1", "loopback"),  # 6to4 of 127.0.0.1
])
def test_addresses_a_script_may_not_call(address: str, kind: str) -> None:
    why = refusal(ipaddress.ip_address(address))
    assert why is not None and kind in why


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2001:4860:4860::8888", "64:ff9b::808:808"])
def test_public_addresses_are_callable(address: str) -> None:
    assert refusal(ipaddress.ip_address(address)) is None


def test_an_allowed_network_lifts_the_rule_for_itself_only() -> None:
    allowed = [ipaddress.ip_network("10.1.2.0/24"), ipaddress.ip_network("::1/128")]
    assert refusal(ipaddress.ip_address("10.1.2.3"), allowed) is None
    assert refusal(ipaddress.ip_address("::1"), allowed) is None
    assert refusal(ipaddress.ip_address("::ffff:10.1.2.3"), allowed) is None
    assert refusal(ipaddress.ip_address("10.1.3.1"), allowed) is not None
    assert refusal(ipaddress.ip_address("127.0.0.1"), allowed) is not None
    assert refusal(ipaddress.ip_address("169.254.169.254"), allowed) is not None


@pytest.mark.parametrize(("url", "base", "under"), [
    ("https://h.example/api", "https://h.example/api", True),
    ("https://h.example/api/x?q=1", "https://h.example/api", True),
    ("https://H.EXAMPLE:443/api/x", "https://h.example/api/", True),
    ("https://h.example/apix", "https://h.example/api", False),
    ("https://h.example/", "https://h.example/api", False),
    ("http://h.example/api", "https://h.example/api", False),
    ("https://h.example:8443/api", "https://h.example/api", False),
    ("https://h.example.evil/api", "https://h.example/api", False),
    ("https://bücher.example/api", "https://xn--bcher-kva.example/", True),
])
def test_a_url_is_under_a_base_by_scheme_host_port_and_whole_segments(url: str, base: str, under: bool) -> None:
    assert parse_endpoint(url).under(parse_endpoint(base)) is under


@pytest.mark.parametrize(("url", "problem"), [
    ("ftp://h.example/x", "http or https"),
    ("https://user:secret@h.example/x", "user info"),
    ("https://h.example/a/../b/%2e%2e/c", "'..'"),
    ("https://h.example/a/%2E/b", "'.'"),
    ("https://h.example/a\\..\\b", "backslash"),
    ("https:///x", "host"),
])
def test_urls_that_cannot_be_endpoints_are_refused_without_being_quoted(url: str, problem: str) -> None:
    with pytest.raises(UnusableUrl) as raised:
        parse_endpoint(url)
    assert problem in str(raised.value) and "secret" not in str(raised.value)


def test_shown_drops_the_query() -> None:
    assert parse_endpoint("http://[::1]:8080/run?key=abc#x").shown == "http://[::1]:8080/run"
    assert parse_endpoint("https://h.example:443/run?key=abc").shown == "https://h.example/run"


def test_settings_take_lists_as_commas_spaces_or_json() -> None:
    policy = CustomScriptSettings.explicit(allowed_urls='["https://a.example/x", "http://b.example:8080"]',
                                           allowed_networks="10.0.0.0/8, ::1").policy()
    assert [b.shown for b in policy.allowed_bases] == ["https://a.example/x", "http://b.example:8080/"]
    assert [str(n) for n in policy.allowed_networks] == ["10.0.0.0/8", "::1/128"]
    assert not CustomScriptSettings.explicit().policy().enabled


def test_unusable_settings_stop_the_server_naming_variable_and_item() -> None:
    with pytest.raises(ConfigurationError) as raised:
        CustomScriptSettings.explicit(allowed_urls="https://ok.example/, ftp://x/, https://u:p@h.example/, "
                                                   "https://h.example/?q=1",
                                      allowed_networks="10.0.0.0/8 not-a-network").policy()
    assert raised.value.problems == (
        "FLOWEXEC_CUSTOM_SCRIPT_ALLOWED_URLS: item 2 must be an http or https URL",
        "FLOWEXEC_CUSTOM_SCRIPT_ALLOWED_URLS: item 3 must not carry user info (user:password@): the server sends "
        "its own token",
        "FLOWEXEC_CUSTOM_SCRIPT_ALLOWED_URLS: item 4 must not have a query or fragment",
        "FLOWEXEC_CUSTOM_SCRIPT_ALLOWED_NETWORKS: 'not-a-network' is not a network (CIDR, e.g. 10.1.2.0/24)",
    )
    assert "u:p" not in str(raised.value)


def test_teredo_is_refused_as_a_whole() -> None:
    assert refusal(ipaddress.ip_address("2001:0:4136:e378:8000:63bf:3fff:fdd2")) == "a private address"
