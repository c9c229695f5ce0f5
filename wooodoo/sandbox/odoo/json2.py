"""JSON-2 (Odoo 19): POST /json/2/<model>/<method> with a bearer API key and named arguments.

Follows addons/web/controllers/json2.py of 19.0: the body is parsed first (400 when it is not
JSON or not an object), then the bearer key is checked (401), then the verb (405), the model
(404), the method (404; 403 for private ones), ``ids`` on a model method (422) and the binding
of the named arguments (422). Errors are ``{name, message, arguments, context, debug}`` with
the status of the exception (UserError 422, MissingError 404, AccessError 403, others 500).
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from werkzeug.exceptions import (
    BadRequest,
    HTTPException,
    MethodNotAllowed,
    NotFound,
    Unauthorized,
    UnprocessableEntity,
)
from werkzeug.wrappers import Request, Response

from wooodoo.sandbox.odoo.exceptions import OdooError
from wooodoo.sandbox.odoo.service import (
    Server,
    bind_check,
    exception_name,
    is_model_method,
    resolve,
    traceback_text,
)

JSON_TYPE = "application/json; charset=utf-8"
NO_AUTH = "User not authenticated, use an API Key with a Bearer Authorization header."


def _json(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type=JSON_TYPE)


def error_response(exc: BaseException) -> Response:
    """The error body Odoo 19 sends for an exception raised while serving JSON-2."""
    if isinstance(exc, HTTPException):
        message = exc.description or ""
        code = exc.code or 500
        body: dict[str, Any] = {
            "name": f"werkzeug.exceptions.{type(exc).__name__}",
            "message": message,
            "arguments": [message, code],
        }
    else:
        code = exc.http_code if isinstance(exc, OdooError) else HTTPStatus.INTERNAL_SERVER_ERROR
        body = {"name": exception_name(exc), "message": str(exc), "arguments": list(exc.args)}
    body.update({"context": {}, "debug": traceback_text(exc)})
    return _json(body, int(code))


def handle(app: Server, request: Request, model: str, method: str) -> Response:
    try:
        return _json(_serve(app, request, model, method))
    except Exception as exc:  # every failure is a JSON error body, as Odoo does
        return error_response(exc)


def _serve(app: Server, request: Request, model: str, method: str) -> Any:
    params: dict[str, Any] = {}
    raw = request.get_data()
    if raw:
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise BadRequest(f"could not parse the body as json: {exc.args[0]}") from exc
        if not isinstance(data, dict):
            raise BadRequest("could not parse the body, expecting a json object")
        params.update(data)
    _authenticate(app, request)
    app.count(model, method)
    if request.method != "POST":
        raise MethodNotAllowed()
    ids = params.pop("ids", None) or []
    context = params.pop("context", None) or {}

    def run() -> Any:
        try:
            records, func = resolve(app.db, model, method, context, json2=True)
        except OdooError as exc:
            if str(exc).startswith("Object "):
                raise NotFound(f"the model {model!r} does not exist") from exc
            raise
        except AttributeError as exc:
            raise NotFound(exc.args[0]) from exc
        if is_model_method(records, method):
            if ids:
                raise UnprocessableEntity(f"cannot call {model}.{method} with ids")
            positional: tuple[Any, ...] = ()
        else:
            positional = (list(ids),)
        try:
            bind_check(func, positional, params)
        except TypeError as exc:
            raise UnprocessableEntity(exc.args[0]) from exc
        return func(*positional, **params)

    return app.run_call(model, method, (), params, run)


def _authenticate(app: Server, request: Request) -> None:
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise Unauthorized(NO_AUTH)
    database = request.headers.get("X-Odoo-Database")
    if database and database != app.database:
        raise NotFound(f"database {database!r} not found")
    if not app.key_ok(key.strip()):
        raise Unauthorized("Invalid apikey")
