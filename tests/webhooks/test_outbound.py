"""Which addresses a webhook may reach: no database, no network."""

from __future__ import annotations

import ipaddress

import pytest

from app.webhooks.outbound import Refused, check_address, parse_networks


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.0.0.5",
        "192.168.1.1",
        "169.254.169.254",
        "::1",
        "fe80::1",
        "::ffff:10.0.0.1",
    ],
)
def test_non_public_addresses_are_refused_unless_listed(address: str) -> None:
    ip = ipaddress.ip_address(address)
    with pytest.raises(Refused):
        check_address(ip, ())
    check_address(
        ip,
        parse_networks("127.0.0.0/8, 10.0.0.0/8,192.168.0.0/16,169.254.0.0/16,::1/128,fe80::/10"),
    )


def test_public_addresses_are_allowed() -> None:
    check_address(ipaddress.ip_address("202.96.128.86"), ())
