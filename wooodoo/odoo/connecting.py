"""An Odoo connection made in a thread of its own while the run starts.

Connecting costs round trips before any work: the TCP and TLS handshakes, the version probe
and the key check. ``ConnectingApi`` starts them at once and is itself an ``OdooApi`` whose
first use waits for them; meanwhile the audit file opens and the first WooCommerce pages are
asked for. An error while connecting (a refused key, an unknown database, no Odoo at the URL)
is raised at that first use, as ``connect`` raised it. The thread logs under the tenant and run
of the code that started it.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable, Sequence
from typing import Any

from wooodoo.odoo.protocol import ApiName, FieldNames, OdooApi, OdooVersion


class ConnectingApi:
    """An ``OdooApi`` being connected by ``connect`` in another thread."""

    def __init__(self, connect: Callable[[], OdooApi]) -> None:
        self._api: OdooApi | None = None
        self._error: BaseException | None = None
        self._lock = threading.Lock()
        self._closed = False
        context = contextvars.copy_context()
        self._thread = threading.Thread(
            target=lambda: context.run(self._connect, connect),
            name="wooodoo-odoo-connect",
            daemon=True,
        )
        self._thread.start()

    def _connect(self, connect: Callable[[], OdooApi]) -> None:
        try:
            api = connect()
        except BaseException as exc:  # raised where the connection is first used
            self._error = exc
            return
        with self._lock:
            self._api = api
            if not self._closed:
                return
        api.close()  # closed without waiting while it was being made

    def ready(self) -> OdooApi:
        """The connection, once made; the connect's error when it failed."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._api is not None
        return self._api

    @property
    def version(self) -> OdooVersion:
        return self.ready().version

    @property
    def api(self) -> ApiName:
        return self.ready().api

    @property
    def fields(self) -> FieldNames:
        return self.ready().fields

    @property
    def database(self) -> str | None:
        return self.ready().database

    @property
    def uid(self) -> int | None:
        return self.ready().uid

    @property
    def requests_sent(self) -> int:
        return self.ready().requests_sent

    def call(
        self,
        model: str,
        method: str,
        *,
        ids: Sequence[int] | None = None,
        retry: bool | None = None,
        **kwargs: Any,
    ) -> Any:
        return self.ready().call(model, method, ids=ids, retry=retry, **kwargs)

    def close(self, *, wait: bool = True) -> None:
        """Close what the connect opened, once it has ended; ``wait`` False: without waiting
        for it (it closes what it opens itself). Closing twice does nothing."""
        if wait:
            self._thread.join()
        with self._lock:
            if self._closed:
                return
            self._closed = True
            api = self._api
        if api is not None:
            api.close()
