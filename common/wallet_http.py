"""The HTTP layer under wallet calls: a requests adapter whose connections keep each call's
total deadline (common/wallet_deadlines.py) and, for platforms that block private addresses,
reach only public ones (common/wallet_addresses.py).

The adapter also skips what requests does for browsing-style use and a wallet call never
needs, through the methods requests documents for subclassing HTTPAdapter: proxies (wallet
calls are sent with none), cookies (a wallet's are never sent back) and re-parsing the same
URL for every call (its pool's key is worked out once per URL).
"""

from functools import lru_cache

from requests.adapters import HTTPAdapter
from requests.exceptions import InvalidURL
from requests.models import PreparedRequest, Response
from urllib3 import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.connection import HTTPConnection, HTTPSConnection

from common.wallet_addresses import PublicOnlyMixin
from common.wallet_deadlines import DeadlineMixin


class WalletHTTPConnection(DeadlineMixin, HTTPConnection):
    pass


class WalletHTTPSConnection(DeadlineMixin, HTTPSConnection):
    pass


class PublicHTTPConnection(PublicOnlyMixin, WalletHTTPConnection):
    pass


class PublicHTTPSConnection(PublicOnlyMixin, WalletHTTPSConnection):
    pass


def _pool(base, connection_class):
    return type(f"{connection_class.__name__}Pool", (base,), {"ConnectionCls": connection_class})


POOLS = {
    False: {
        "http": _pool(HTTPConnectionPool, WalletHTTPConnection),
        "https": _pool(HTTPSConnectionPool, WalletHTTPSConnection),
    },
    True: {
        "http": _pool(HTTPConnectionPool, PublicHTTPConnection),
        "https": _pool(HTTPSConnectionPool, PublicHTTPSConnection),
    },
}


@lru_cache(maxsize=1024)
def _path(url):
    request = PreparedRequest()
    request.url = url
    return request.path_url


class WalletAdapter(HTTPAdapter):
    """A requests adapter for wallet calls; `public_only` refuses private addresses."""

    def __init__(self, public_only, **kwargs):
        self.public_only = public_only
        self._pool_keys = {}  # (url, verify) -> requests' (host_params, pool_kwargs)
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(POOLS[self.public_only])

    def get_connection_with_tls_context(self, request, verify, proxies=None, cert=None):
        if proxies or cert or not isinstance(verify, bool):
            return super().get_connection_with_tls_context(request, verify, proxies, cert)
        key = self._pool_keys.get((request.url, verify))
        if key is None:
            if len(self._pool_keys) >= 1024:
                self._pool_keys.clear()
            try:
                key = self.build_connection_pool_key_attributes(request, verify)
            except ValueError as exc:  # as requests words it (a port out of range, say)
                raise InvalidURL(exc, request=request) from None
            self._pool_keys[request.url, verify] = key
        host_params, pool_kwargs = key
        # urllib3 merges pool_kwargs into a new dict and never changes it, so it can be shared.
        return self.poolmanager.connection_from_host(**host_params, pool_kwargs=pool_kwargs)

    def request_url(self, request, proxies):
        if proxies:
            return super().request_url(request, proxies)
        return _path(request.url)

    def build_response(self, req, resp):
        """requests' Response, less what a wallet's answer does not need: its cookies (never
        sent back), a text encoding (it is read as bytes) and a copy of urllib3's headers,
        which are case-insensitive already."""
        response = Response()
        response.status_code = resp.status
        response.headers = resp.headers
        response.raw = resp
        response.reason = resp.reason
        response.url = req.url
        response.request = req
        response.connection = self
        return response
