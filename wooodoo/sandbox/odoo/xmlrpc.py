"""XML-RPC endpoints /xmlrpc/2/common, /object and /db, with Odoo's fault codes per version.

Fault codes (odoo/service/wsgi_server.py up to 15, odoo/addons/base/controllers/rpc.py from 16):
1 application error (a traceback), 2 warning (UserError and, from 14, its subclasses),
3 AccessDenied, 4 AccessError. On 13 the exceptions still derive from ``except_orm``, whose
``str()`` is the ``(name, value)`` tuple: MissingError gives 2 with that tuple, ValidationError
is not a UserError there and ends as code 1 with a traceback. Results are marshalled without
``allow_none``: a method returning None (``button_draft``) answers fault 1 "cannot marshal None".
"""

from __future__ import annotations

import xmlrpc.client
from typing import Any

from wooodoo.sandbox.odoo.exceptions import (
    AccessDenied,
    AccessError,
    MissingError,
    OdooError,
    UserError,
    ValidationError,
)
from wooodoo.sandbox.odoo.service import (
    Server,
    call_kw,
    missing_database,
    resolve,
    traceback_text,
)


def fault_for(version: int, exc: BaseException) -> xmlrpc.client.Fault:
    """The fault Odoo of this version answers for an exception raised by a call."""
    if version == 13:
        old_str = f"({exc.args[0]!r}, None)" if isinstance(exc, OdooError) else str(exc)
        if isinstance(exc, AccessDenied):
            return xmlrpc.client.Fault(3, "Access denied")
        if isinstance(exc, AccessError):
            return xmlrpc.client.Fault(4, old_str)
        if isinstance(exc, MissingError):
            return xmlrpc.client.Fault(2, old_str)
        if isinstance(exc, ValidationError):
            return xmlrpc.client.Fault(1, traceback_text(exc, old_str))
        if isinstance(exc, UserError):
            return xmlrpc.client.Fault(2, str(exc))
        return xmlrpc.client.Fault(1, traceback_text(exc))
    if isinstance(exc, AccessDenied):
        return xmlrpc.client.Fault(3, str(exc))
    if isinstance(exc, AccessError):
        return xmlrpc.client.Fault(4, str(exc))
    if isinstance(exc, UserError):
        return xmlrpc.client.Fault(2, str(exc))
    return xmlrpc.client.Fault(1, traceback_text(exc))


def handle(app: Server, service: str, body: bytes) -> bytes:
    """Answer one XML-RPC request body; always an XML methodResponse."""
    try:
        params, method = xmlrpc.client.loads(body, use_datetime=True)
        result = _dispatch(app, service, method or "", list(params))
        return xmlrpc.client.dumps((result,), methodresponse=True, allow_none=False).encode()
    except Exception as exc:  # every failure becomes a fault, as Odoo does
        fault = fault_for(app.version, exc)
        return xmlrpc.client.dumps(fault, methodresponse=True, allow_none=False).encode()


def _dispatch(app: Server, service: str, method: str, params: list[Any]) -> Any:
    if service == "common":
        return _common(app, method, params)
    if service == "db":
        if method == "list":
            return [app.database]
        if method == "server_version":
            return app.version_info()["server_version"]
        raise KeyError(f"exp_{method}")
    if service == "object":
        if method == "execute_kw":
            db, uid, key, model, name, *rest = params
            args = list(rest[0]) if rest else []
            kwargs = dict(rest[1]) if len(rest) > 1 and rest[1] else {}
            return _execute(app, db, uid, key, model, name, args, kwargs)
        if method == "execute":
            db, uid, key, model, name, *args = params
            return _execute(app, db, uid, key, model, name, list(args), {})
        raise NameError(f"Method not available {method}")
    raise KeyError(service)


def _common(app: Server, method: str, params: list[Any]) -> Any:
    if method == "version":
        return app.version_info()
    if method == "about":
        return "See http://openerp.com"
    if method in ("authenticate", "login"):
        db, login, key = params[0], params[1], params[2]
        if db != app.database:
            raise missing_database(str(db))
        app.count("common", method)
        return app.uid if app.credentials_ok(login, key) else False
    raise KeyError(f"exp_{method}")


def _execute(
    app: Server,
    db: Any,
    uid: Any,
    key: Any,
    model: str,
    method: str,
    args: list[Any],
    kwargs: dict[str, Any],
) -> Any:
    app.count(model, method)
    if db != app.database:
        raise missing_database(str(db))
    if uid != app.uid or not app.key_ok(key):
        raise AccessDenied("Access Denied")
    context = kwargs.pop("context", None) or {}

    def run() -> Any:
        records, func = resolve(app.db, model, method, context)
        return call_kw(records, method, func, args, kwargs)

    return app.run_call(model, method, args, kwargs, run)
