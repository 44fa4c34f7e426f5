"""Which addresses the server may send a push or the webhook to (pure rules, no DNS)."""

from __future__ import annotations

import pytest

from server.destinations import is_public_address, origin, parse_allow, refusal


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "100.64.0.1",  # shared (carrier-grade NAT)
        "169.254.169.254",  # link-local: cloud metadata
        "224.0.0.1",
        "239.255.255.250",
        "0.0.0.0",
        "240.0.0.1",
        "255.255.255.255",
        "192.0.2.1",
        "::1",
        "::",
        "fc00::1",
        "fd12:3456::1",
        "fe80::1",
        "fe80::1%eth0",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "2002:a00:1::1",  # 6to4 of 10.0.0.1
        "not an address",
    ],
)
def test_addresses_that_are_not_public(address: str) -> None:
    assert not is_public_address(address)


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2001:4860:4860::8888"])
def test_public_addresses(address: str) -> None:
    assert is_public_address(address)


def test_origins_compare_with_the_default_port_written() -> None:
    assert origin("https://Push.Example/wp/1") == "https://push.example:443"
    assert origin("http://[::1]:8080/x") == "http://[::1]:8080"
    assert parse_allow(" https://ntfy.lan, http://10.0.0.5:8080 ,") == {
        "https://ntfy.lan:443",
        "http://10.0.0.5:8080",
    }
    for bad in ("https://ntfy.lan/topic", "ftp://ntfy.lan", "ntfy.lan", "https://u@ntfy.lan"):
        with pytest.raises(ValueError):
            parse_allow(bad)


def test_refusal_by_the_url_alone() -> None:
    none: frozenset[str] = frozenset()
    assert refusal("https://fcm.googleapis.com/fcm/send/x", none) is None
    assert refusal("https://push.example/x", none) is None  # a name: checked on connection
    assert refusal("http://push.example/x", none) == "scheme"
    assert refusal("https://10.0.0.5/x", none) == "address"
    assert refusal("https://[::ffff:7f00:1]/x", none) == "address"
    assert refusal("https://app.localhost/x", none) == "address"
    assert refusal("javascript:alert(1)", none) == "url"
    allowed = parse_allow("http://10.0.0.5:8080")
    assert refusal("http://10.0.0.5:8080/up/x", allowed) is None
    assert refusal("http://10.0.0.5:8081/up/x", allowed) == "scheme"
    assert refusal("https://10.0.0.5:8080/up/x", allowed) == "address"
