"""Wallet connections that reach only public addresses (WALLET_BLOCK_PRIVATE_ADDRESSES).

The wallet's host is resolved once per new connection, every address it resolves to must be
public, and the socket connects to one of exactly those addresses. A check that looked the host
up before each call, beside the lookup urllib3 makes to connect, could be answered differently
the second time (DNS rebinding: public for the check, loopback for the connection), and it paid
a DNS lookup on every auth, bet, win and rollback though the pooled connection it then used had
been checked when it was opened.
"""

import ipaddress
import socket

from urllib3.exceptions import NewConnectionError
from urllib3.util.connection import allowed_gai_family


class PrivateAddressError(Exception):
    """The wallet's host resolves to a loopback, private or otherwise non-public address."""


class UnresolvableHostError(Exception):
    """The wallet's host name does not resolve."""


NAT64 = ipaddress.ip_network("64:ff9b::/96")


def is_public(address):
    """True for a globally routable address that does not embed a private IPv4 one.

    An IPv6 address can carry an IPv4 one that a gateway on the way translates to: NAT64's
    well-known prefix and 6to4 both count as global by themselves.
    """
    ip = ipaddress.ip_address(address)
    if not ip.is_global:
        return False
    if ip.version == 6:
        embedded = ip.sixtofour
        if ip in NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None and not embedded.is_global:
            return False
    return True


def public_addresses(host, port):
    """The addresses `host` resolves to, in the resolver's order, if every one is public."""
    try:
        infos = socket.getaddrinfo(host, port, allowed_gai_family(), socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise UnresolvableHostError(host) from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not all(is_public(address) for address in addresses):
        raise PrivateAddressError(host)
    return addresses


class PublicOnlyMixin:
    """For urllib3 connection classes: connect only to the host's addresses, all public.

    PrivateAddressError and UnresolvableHostError come out of a requests adapter's send() as
    they are: neither urllib3 nor requests wraps exceptions that are not network errors.
    """

    def _new_conn(self):
        host = self._dns_host  # what urllib3 connects to; `host` (TLS name) reads it too
        addresses = public_addresses(host, self.port)
        try:
            for address in addresses[:-1]:
                self._dns_host = address
                try:
                    return super()._new_conn()
                except NewConnectionError:
                    continue  # refused or unreachable: the next address, as urllib3 would
            self._dns_host = addresses[-1]
            return super()._new_conn()
        finally:
            self._dns_host = host  # before the TLS handshake, which names and checks `host`
