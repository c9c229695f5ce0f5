"""What both RPC endpoints share: the server they need, model and method look-up, error texts."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, TypeVar

from wooodoo.sandbox.odoo.access import ACCESS_METHODS_SINCE
from wooodoo.sandbox.odoo.exceptions import AccessError, DatabaseMissing, UserError
from wooodoo.sandbox.odoo.orm import BaseModel, Database, Env

T = TypeVar("T")


class Server(Protocol):
    """What the XML-RPC and JSON-2 endpoints need from the Odoo app that serves them."""

    @property
    def version(self) -> int: ...

    @property
    def database(self) -> str: ...

    @property
    def uid(self) -> int: ...

    @property
    def db(self) -> Database: ...

    def key_ok(self, key: Any) -> bool: ...

    def credentials_ok(self, login: Any, key: Any) -> bool: ...

    def count(self, model: str, method: str) -> None:
        """Count one call in the request counter the tests and benchmarks read."""

    def version_info(self) -> dict[str, Any]: ...

    def run_call(
        self,
        model: str,
        method: str,
        args: Sequence[Any],
        kwargs: Mapping[str, Any],
        run: Callable[[], T],
    ) -> T:
        """Run one call as one transaction, after the work it costs."""


TRACE_HEAD = (
    "Traceback (most recent call last):\n"
    '  File "/opt/odoo/odoo/service/model.py", line 150, in execute_cr\n'
    "    result = retrying(partial(call_kw, recs, method, args, kw), env)\n"
    '  File "/opt/odoo/odoo/service/model.py", line 97, in call_kw\n'
    "    result = method(recs, *args, **kwargs)\n"
)


def exception_name(exc: BaseException) -> str:
    """``builtins.ValueError`` / ``odoo.exceptions.UserError``, as Odoo serializes them."""
    name = getattr(exc, "rpc_name", None)
    if isinstance(name, str):
        return name
    module = type(exc).__module__
    if module.startswith("wooodoo"):
        module = "builtins"
    return f"{module}.{type(exc).__name__}"


def traceback_text(exc: BaseException, message: str | None = None) -> str:
    """A trimmed traceback ending like Odoo's: ``ValueError: Invalid field ...``."""
    name = exception_name(exc)
    label = name.removeprefix("builtins.")
    text = str(exc) if message is None else message
    return f"{TRACE_HEAD}{label}: {text}\n"


def missing_database(name: str) -> DatabaseMissing:
    return DatabaseMissing(
        'connection to server on socket "/var/run/postgresql/.s.PGSQL.5432" failed: '
        f'FATAL:  database "{name}" does not exist\n'
    )


def resolve(
    db: Database, model: str, method: str, context: dict[str, Any] | None, json2: bool = False
) -> tuple[BaseModel, Callable[..., Any]]:
    """The model instance and bound method an RPC call names, or Odoo's error for it."""
    env = Env(db, context)
    if model not in env:
        raise UserError(f"Object {model} doesn't exist")
    records = env[model]
    if method.startswith("_"):
        if json2 or db.version >= 14:
            raise AccessError(
                f"Private methods (such as '{model}.{method}') cannot be called remotely."
            )
        raise UserError(f"Private methods (such as {method}) cannot be called remotely.")
    if method not in records.RPC_METHODS or db.version < ACCESS_METHODS_SINCE.get(method, 0):
        if json2 or db.version >= 17:
            raise AttributeError(f"The method '{model}.{method}' does not exist")
        raise AttributeError(f"The method '{method}' does not exist on the model '{model}'")
    return records, getattr(records, method)


def is_model_method(records: BaseModel, method: str) -> bool:
    return method in records.API_MODEL


def call_kw(
    records: BaseModel,
    method: str,
    func: Callable[..., Any],
    args: list[Any],
    kwargs: dict[str, Any],
) -> Any:
    """Odoo's call_kw: record methods take the ids as first positional argument."""
    if is_model_method(records, method):
        return func(*args, **kwargs)
    ids, rest = args[0], args[1:]
    return func(ids, *rest, **kwargs)


def bind_check(
    func: Callable[..., Any], positional: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    """Raise the TypeError Python's signature binding gives for these arguments."""
    inspect.signature(func).bind(*positional, **kwargs)
