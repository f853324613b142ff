"""The HTTP layer under wallet calls: requests adapters whose connections keep each call's
total deadline (common/wallet_deadlines.py) and, for platforms that block private addresses,
reach only public ones (common/wallet_addresses.py)."""

from requests.adapters import HTTPAdapter
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


class WalletAdapter(HTTPAdapter):
    """A requests adapter for wallet calls; `public_only` refuses private addresses."""

    def __init__(self, public_only, **kwargs):
        self.public_only = public_only
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(POOLS[self.public_only])
