"""A proxy.py plugin for the e2e tests (loaded by conftest.ProxyServer).

The tests point check_cloudtrail (and the aws CLI) at names under the
reserved `.invalid` top-level domain, which no resolver knows: inside
this proxy they resolve to 127.0.0.1, where the test's servers listen.
So a request only succeeds if it went through the proxy, and a request
that bypasses it (NO_PROXY) fails to resolve. Every upstream connection
is appended to the file named by E2E_PROXY_SEEN as "METHOD host:port".
Authentication (--basic-auth) is proxy.py's own and runs before this.
"""

import os

from proxy.http.proxy import HttpProxyBasePlugin


def _text(v):
    return v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)


class MapTestHosts(HttpProxyBasePlugin):
    def before_upstream_connection(self, request):
        line = f"{_text(request.method)} {_text(request.host)}:{request.port}\n"
        with open(os.environ["E2E_PROXY_SEEN"], "a", encoding="utf-8") as fh:
            fh.write(line)
        return request

    def resolve_dns(self, host, port):
        if _text(host).lower().rstrip(".").endswith(".invalid"):
            return "127.0.0.1", None
        return None, None
