"""XML-RPC transport (/xmlrpc/2/): marshalling over the shared session, faults mapped."""

from __future__ import annotations

import xmlrpc.client
from collections.abc import Callable, Sequence
from typing import Any, NoReturn
from xml.parsers.expat import ExpatError

import requests

from wooodoo.errors import AuthError, TransientError, WooodooError
from wooodoo.http import classify
from wooodoo.odoo import faults
from wooodoo.odoo.protocol import ApiName, OdooVersion
from wooodoo.odoo.transport import Channel, Connection, check_ids, to_wire

# Named arguments that must travel positionally, in this order, after ``ids``. The domain is
# positional because its keyword is ``args`` up to 16 and ``domain`` from 17.
POSITIONAL: dict[str, tuple[str, ...]] = {
    "search": ("domain",),
    "search_count": ("domain",),
    "search_read": ("domain",),
    "create": ("vals_list",),
    "write": ("vals",),
}


def translate(
    method: str, ids: Sequence[int] | None, kwargs: dict[str, Any]
) -> tuple[list[Any], dict[str, Any]]:
    """JSON-2 style named arguments as ``execute_kw``'s (args, kwargs) for ``method``."""
    check_ids(method, ids)
    named = dict(kwargs)
    args: list[Any] = [list(ids)] if ids is not None else []
    for name in POSITIONAL.get(method, ()):
        if name in named:
            args.append(named.pop(name))
        elif name == "domain":
            args.append([])
        else:
            raise TypeError(f"{method} needs {name}=")
    return to_wire(args), to_wire(named)


def rpc(
    channel: Channel,
    service: str,
    method: str,
    params: Sequence[Any],
    *,
    what: str,
    tenant: str,
    secrets: Sequence[str] = (),
    legacy_password: bool = False,
) -> Any:
    """One XML-RPC call to ``/xmlrpc/2/<service>``, no retry; faults raised as wooodoo errors."""
    body = xmlrpc.client.dumps(tuple(params), method, allow_none=True).encode("utf-8")
    resp = channel.request(
        "POST",
        f"/xmlrpc/2/{service}",
        what=what,
        data=body,
        headers={"Content-Type": "text/xml; charset=utf-8", "Accept": "text/xml"},
    )
    if not 200 <= resp.status_code < 300:
        _raise_for_status(resp, what)
    try:
        result, _ = xmlrpc.client.loads(resp.content, use_builtin_types=True)
    except xmlrpc.client.Fault as fault:
        failure = faults.from_fault(fault.faultCode, str(fault.faultString))
        raise faults.to_error(
            failure, what=what, tenant=tenant, secrets=secrets, legacy_password=legacy_password
        ) from None
    except (ExpatError, xmlrpc.client.ResponseError, ValueError, TypeError) as exc:
        raise TransientError(
            f"{what}: HTTP {resp.status_code} with {_describe_body(resp)}"
        ) from exc
    return result[0] if result else None


def _raise_for_status(resp: requests.Response, what: str) -> NoReturn:
    try:
        classify(resp, what, _describe_json)
    except WooodooError as exc:
        if resp.status_code == 404:
            exc.hint = "No XML-RPC here: check odoo.url (the Odoo root, without /odoo or /web)."
        raise
    raise TransientError(f"{what}: HTTP {resp.status_code}")  # classify raises for non-2xx


def _describe_json(body: Any) -> tuple[str, str]:
    return str(body.get("name", "")), str(body.get("message", ""))


def _describe_body(resp: requests.Response) -> str:
    head = resp.text.lstrip()[:200].lower()
    if head.startswith("<!doctype html") or head.startswith("<html"):
        return "an HTML page instead of XML-RPC (a proxy, WAF or maintenance page?)"
    return "a body that is not XML-RPC"


def server_version(channel: Channel, *, tenant: str) -> dict[str, Any]:
    """``common.version()``: answers on every Odoo version, without credentials."""
    what = f"Odoo version (tenant {tenant})"
    result = channel.run(
        lambda: rpc(channel, "common", "version", (), what=what, tenant=tenant),
        retry=True,
        what=what,
    )
    if not isinstance(result, dict):
        raise TransientError(f"{what}: unexpected answer to version()")
    return result


def list_databases(channel: Channel, *, tenant: str) -> list[str] | None:
    """``db.list()``; None when the server does not list its databases (``list_db = False``)."""
    what = f"Odoo database list (tenant {tenant})"
    try:
        result = channel.run(
            lambda: rpc(channel, "db", "list", (), what=what, tenant=tenant),
            retry=True,
            what=what,
        )
    except AuthError:
        # AccessDenied here means listing is disabled, not that a key was refused.
        return None
    return [str(name) for name in result] if isinstance(result, list) else None


def authenticate(
    channel: Channel,
    *,
    database: str,
    login: str,
    api_key: str,
    tenant: str,
    version: OdooVersion,
) -> int:
    """``common.authenticate``: the uid, or AuthError naming the tenant."""
    what = f"Odoo authenticate (tenant {tenant})"
    legacy = version.major < 14
    uid = channel.run(
        lambda: rpc(
            channel,
            "common",
            "authenticate",
            (database, login, api_key, {}),
            what=what,
            tenant=tenant,
            secrets=(api_key,),
            legacy_password=legacy,
        ),
        retry=True,
        what=what,
    )
    if isinstance(uid, bool) or not isinstance(uid, int):
        raise faults.auth_error(tenant, legacy_password=legacy)
    return uid


class XmlRpcApi(Connection):
    """An authenticated XML-RPC connection (``execute_kw`` on ``/xmlrpc/2/object``)."""

    api: ApiName = "xmlrpc"

    def __init__(
        self,
        channel: Channel,
        *,
        version: OdooVersion,
        database: str,
        uid: int,
        api_key: str,
        tenant: str,
    ) -> None:
        # every XML-RPC call names the database and the user: neither may be missing here
        super().__init__(
            channel, version=version, database=database, uid=uid, api_key=api_key, tenant=tenant
        )

    def _sender(
        self, model: str, method: str, ids: Sequence[int] | None, kwargs: dict[str, Any], what: str
    ) -> Callable[[], Any]:
        args, named = translate(method, ids, kwargs)
        params = (self.database, self.uid, self._api_key, model, method, args, named)
        return lambda: rpc(
            self.channel,
            "object",
            "execute_kw",
            params,
            what=what,
            tenant=self.tenant,
            secrets=(self._api_key,),
            legacy_password=self.version.major < 14,
        )
