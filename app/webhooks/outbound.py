"""Outbound safety: which addresses a webhook may reach, and one bounded POST to it.

The address is resolved once and checked, and the request goes to that very address (the
name is kept for `Host` and TLS), so a name that resolves elsewhere on a second lookup (DNS
rebinding) cannot reach what the check refused. No redirects are followed, proxies from the
environment are not used, and the answer's body is read up to a cap and then dropped.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class Refused(Exception):
    """The URL may not be called; the message says why (safe to show)."""


def parse_networks(value: str) -> tuple[Network, ...]:
    return tuple(
        ipaddress.ip_network(part, strict=False)
        for part in (p.strip() for p in value.split(","))
        if part
    )


def check_address(address: Address, allowed: tuple[Network, ...]) -> None:
    """Public addresses are allowed; any other (private, loopback, link-local and so the
    metadata service, reserved) only when a listed network holds it."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if any(address in network for network in allowed):
        return
    if not address.is_global or address.is_multicast:
        raise Refused(
            f"{address} is not a public address; list its network in "
            "LUOSHI_WEBHOOK_ALLOWED_NETWORKS to allow it"
        )


def check_url(url: str) -> tuple[str, str, int]:
    """``(scheme, host, port)`` of a URL a webhook may have; ``Refused`` otherwise."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise Refused("not a valid URL") from exc
    if parts.scheme not in ("http", "https"):
        raise Refused("only http and https URLs can receive webhooks")
    if not parts.hostname:
        raise Refused("the URL has no host")
    if parts.username is not None or parts.password is not None:
        raise Refused("the URL may not carry a user name or password")
    if parts.fragment:
        raise Refused("the URL may not have a fragment")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


async def resolve(host: str, port: int, allowed: tuple[Network, ...]) -> Address:
    """The first address of ``host``, once every address it has is allowed."""
    try:
        literal: Address | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        check_address(literal, allowed)
        return literal
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise Refused(f"the host name {host!r} does not resolve") from exc
    addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    if not addresses:
        raise Refused(f"the host name {host!r} does not resolve")
    for address in addresses:
        check_address(address, allowed)
    return addresses[0]


@dataclass(frozen=True)
class Answer:
    status: int | None  # None: no answer (refused, unreachable, timed out)
    latency_ms: int
    error: str | None  # why it was not a success, for people; never the receiver's body


@dataclass(frozen=True)
class Limits:
    allowed: tuple[Network, ...]
    timeout: float
    connect_timeout: float
    max_response_bytes: int


async def post(
    client: httpx.AsyncClient, url: str, *, body: bytes, headers: dict[str, str], limits: Limits
) -> Answer:
    """POST ``body`` to ``url`` within ``limits``; never raises for what the receiver does."""
    started = time.monotonic()

    def answer(status: int | None, error: str | None) -> Answer:
        return Answer(status, round((time.monotonic() - started) * 1000), error)

    try:
        scheme, host, port = check_url(url)
        address = await resolve(host, port, limits.allowed)
    except Refused as exc:
        return answer(None, f"refused: {exc}")
    parts = urlsplit(url)
    netloc = f"[{address}]" if address.version == 6 else str(address)
    target = parts._replace(netloc=f"{netloc}:{port}").geturl()
    host_header = parts.netloc.rsplit("@", 1)[-1]
    extensions = {"sni_hostname": host} if scheme == "https" else {}
    try:
        async with asyncio.timeout(limits.timeout):
            request = client.build_request(
                "POST",
                target,
                content=body,
                headers={**headers, "Host": host_header},
                extensions=extensions,
            )
            response = await client.send(request, stream=True, follow_redirects=False)
            try:
                read = 0
                async for chunk in response.aiter_raw():
                    read += len(chunk)
                    if read >= limits.max_response_bytes:
                        break
            finally:
                await response.aclose()
    except TimeoutError:
        return answer(None, f"no answer within {limits.timeout:g} s")
    except httpx.TimeoutException:
        return answer(None, "timed out")
    except httpx.HTTPError as exc:
        return answer(None, f"could not connect ({exc.__class__.__name__})")
    if 200 <= response.status_code < 300:
        return answer(response.status_code, None)
    if 300 <= response.status_code < 400:
        return answer(response.status_code, "redirects are not followed")
    return answer(response.status_code, f"answered {response.status_code}")


def make_client(limits: Limits) -> httpx.AsyncClient:
    """A client for webhook calls: no proxies from the environment, no redirects, no cookies."""
    return httpx.AsyncClient(
        trust_env=False,
        follow_redirects=False,
        timeout=httpx.Timeout(limits.timeout, connect=limits.connect_timeout),
        limits=httpx.Limits(max_connections=50, max_keepalive_connections=10),
    )
