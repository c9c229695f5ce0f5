"""Request arguments of the WooCommerce look-alike's routes, validated and sanitized like WordPress.

WordPress checks every registered argument that was sent and reports all bad ones at once
(``rest_invalid_param``, with ``params`` and ``details``); sanitized values replace the raw ones,
which is why ``dates_are_gmt=true`` comes back as ``dates_are_gmt=1`` in ``Link`` headers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from wooodoo.sandbox.shop.model import ORDER_STATUSES
from wooodoo.sandbox.woo.php import parse_rest_date, sprintf_list


@dataclass(frozen=True)
class Arg:
    name: str
    type: str  # integer | string | boolean | array | date-time | email
    default: Any = None
    minimum: int | None = None
    maximum: int | None = None
    enum: tuple[str, ...] | None = None
    items: str = "string"  # type of array items
    absint: bool = False
    id_list: bool = False
    slug_list: bool = False


@dataclass(frozen=True)
class ParamError:
    name: str
    code: str
    message: str


class InvalidParams(Exception):
    def __init__(self, errors: list[ParamError]) -> None:
        super().__init__(", ".join(e.name for e in errors))
        self.errors = errors

    def body(self) -> dict[str, Any]:
        return {
            "code": "rest_invalid_param",
            "message": "Invalid parameter(s): " + ", ".join(e.name for e in self.errors),
            "data": {
                "status": 400,
                "params": {e.name: e.message for e in self.errors},
                "details": {
                    e.name: {"code": e.code, "message": e.message, "data": None}
                    for e in self.errors
                },
            },
        }


def _is_integer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    if isinstance(value, float):
        return value == round(value)
    try:
        number = float(str(value).strip())
    except ValueError:
        return False
    return number == round(number) and str(value).strip() != ""


def _as_list(value: Any) -> list[Any]:
    """``wp_parse_list``: a comma or space separated string becomes a list."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return list(value.values())
    return [part for part in re.split(r"[\s,]+", str(value)) if part]


_EMAIL = re.compile(r"^[A-Za-z0-9._%+'!#$&*/=?^`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


def _check_scalar(arg: Arg, name: str, kind: str, value: Any) -> ParamError | None:
    if kind == "integer":
        if not _is_integer(value):
            return ParamError(name, "rest_invalid_type", f"{name} is not of type integer.")
        number = int(float(str(value)))
        low, high = arg.minimum, arg.maximum
        if low is not None and high is not None and not low <= number <= high:
            return ParamError(
                name,
                "rest_out_of_bounds",
                f"{name} must be between {low} (inclusive) and {high} (inclusive)",
            )
        if low is not None and high is None and number < low:
            return ParamError(
                name, "rest_out_of_bounds", f"{name} must be greater than or equal to {low}"
            )
        return None
    if kind == "boolean":
        if isinstance(value, bool) or str(value).lower() in ("true", "false", "0", "1"):
            return None
        return ParamError(name, "rest_invalid_type", f"{name} is not of type boolean.")
    if isinstance(value, list | dict):
        return ParamError(name, "rest_invalid_type", f"{name} is not of type string.")
    if kind == "date-time" and parse_rest_date(str(value)) is None:
        return ParamError(name, "rest_invalid_date", "Invalid date.")
    if kind == "email" and not _EMAIL.match(str(value)):
        return ParamError(name, "rest_invalid_email", "Invalid email address.")
    if arg.enum is not None and str(value) not in arg.enum:
        return ParamError(
            name, "rest_not_in_enum", f"{name} is not one of {sprintf_list(list(arg.enum))}."
        )
    return None


def check(arg: Arg, value: Any) -> ParamError | None:
    if arg.type != "array":
        return _check_scalar(arg, arg.name, arg.type, value)
    for index, item in enumerate(_as_list(value)):
        name = f"{arg.name}[{index}]"
        if arg.items == "integer":
            error = _check_scalar(Arg(name, "integer"), name, "integer", item)
        else:
            error = _check_scalar(arg, name, "string", item)
        if error is not None:
            # reported under the argument's name, the message names the item
            return ParamError(arg.name, error.code, error.message)
    return None


def sanitize(arg: Arg, value: Any) -> Any:
    if arg.absint:
        return abs(int(float(str(value))))
    if arg.type == "integer":
        return int(float(str(value)))
    if arg.type == "boolean":
        return value if isinstance(value, bool) else str(value).lower() in ("true", "1")
    if arg.type == "array":
        items = _as_list(value)
        if arg.id_list:
            ids: list[int] = []
            for item in items:
                number = abs(int(float(str(item))))
                if number not in ids:
                    ids.append(number)
            return ids
        if arg.slug_list:
            return list(dict.fromkeys(str(i).strip().lower() for i in items))
        return [int(float(str(i))) if arg.items == "integer" else str(i) for i in items]
    return str(value)


def check_enum(body: dict[str, Any], name: str, allowed: Sequence[str]) -> None:
    """A body value outside its enum is refused as a bad argument, as WordPress does."""
    value = body.get(name)
    if value is not None and value not in allowed:
        message = f"{name} is not one of {sprintf_list(list(allowed))}."
        raise InvalidParams([ParamError(name, "rest_not_in_enum", message)])


def validate(args: Sequence[Arg], params: dict[str, Any]) -> dict[str, Any]:
    """Check the sent arguments, sanitize them in place; return the values with defaults."""
    errors = [e for a in args if a.name in params and (e := check(a, params[a.name])) is not None]
    if errors:
        raise InvalidParams(errors)
    for a in args:
        if a.name in params:
            params[a.name] = sanitize(a, params[a.name])
    return {a.name: params.get(a.name, a.default) for a in args}


CONTEXT = Arg("context", "string", "view", enum=("view", "edit"))
PAGE = Arg("page", "integer", 1, minimum=1, absint=True)
PER_PAGE = Arg("per_page", "integer", 10, minimum=1, maximum=100, absint=True)
SEARCH = Arg("search", "string")
OFFSET = Arg("offset", "integer", absint=True)
INCLUDE = Arg("include", "array", [], items="integer", id_list=True)
EXCLUDE = Arg("exclude", "array", [], items="integer", id_list=True)
AFTER = Arg("after", "date-time")
BEFORE = Arg("before", "date-time")
ASCENDING = Arg("order", "string", "asc", enum=("asc", "desc"))
DESCENDING = Arg("order", "string", "desc", enum=("asc", "desc"))
POST_ORDERBY = Arg(
    "orderby", "string", "date", enum=("date", "id", "include", "title", "slug", "modified")
)
DP = Arg("dp", "integer", 2, absint=True)
FORCE = Arg("force", "boolean", False)
# the order WordPress registers them in, which is the order errors are reported in
PAGED = (CONTEXT, PAGE, PER_PAGE, SEARCH)
CHOSEN = (EXCLUDE, INCLUDE, OFFSET)

ORDER_STATUS_ENUM = ("any", "trash", "auto-draft", *ORDER_STATUSES)

ORDER_ARGS: tuple[Arg, ...] = (
    *PAGED,
    AFTER,
    BEFORE,
    Arg("modified_after", "date-time"),
    Arg("modified_before", "date-time"),
    Arg("dates_are_gmt", "boolean", False),
    *CHOSEN,
    DESCENDING,
    POST_ORDERBY,
    Arg("parent", "array", [], items="integer", id_list=True),
    Arg("parent_exclude", "array", [], items="integer", id_list=True),
    Arg("status", "array", ["any"], enum=ORDER_STATUS_ENUM, slug_list=True),
    Arg("customer", "integer", absint=True),
    Arg("product", "integer", absint=True),
    DP,
)

# WooCommerce registered modified_after/modified_before on the order list in 5.8; WordPress
# ignores an argument a route does not register, so an older store lists every order
MODIFIED_ARGS_SINCE = (5, 8)


def order_args(wc_version: str) -> tuple[Arg, ...]:
    """The order list's arguments as a store of this version registers them."""
    parts = tuple(int(x) for x in re.findall(r"\d+", wc_version)[:2])
    if parts >= MODIFIED_ARGS_SINCE:
        return ORDER_ARGS
    return tuple(a for a in ORDER_ARGS if a.name not in ("modified_after", "modified_before"))


REFUND_ARGS: tuple[Arg, ...] = (*PAGED, *CHOSEN, DESCENDING, POST_ORDERBY, DP)

# ``/refunds`` (WooCommerce 9.0+) registers the order list's arguments but status, customer
# and product (``WC_REST_Order_Refunds_V2_Controller::get_collection_params``)
REFUND_LIST_ARGS: tuple[Arg, ...] = tuple(
    a for a in ORDER_ARGS if a.name not in ("status", "customer", "product")
)
REFUND_LIST_SINCE = (9, 0)

ROLES = (
    "all",
    "administrator",
    "editor",
    "author",
    "contributor",
    "subscriber",
    "customer",
    "shop_manager",
)
CUSTOMER_ARGS: tuple[Arg, ...] = (
    *PAGED,
    *CHOSEN,
    ASCENDING,
    Arg("orderby", "string", "name", enum=("id", "include", "name", "registered_date")),
    Arg("email", "email"),
    Arg("role", "string", "customer", enum=ROLES),
)

WEBHOOK_ARGS: tuple[Arg, ...] = (
    *PAGED,
    AFTER,
    BEFORE,
    *CHOSEN,
    DESCENDING,
    Arg("orderby", "string", "date", enum=("date", "id", "title")),
    Arg("status", "string", "all", enum=("all", "active", "paused", "disabled")),
)

PRODUCT_ARGS: tuple[Arg, ...] = (
    *PAGED,
    *CHOSEN,
    DESCENDING,
    Arg(
        "orderby",
        "string",
        "date",
        enum=("date", "id", "include", "title", "slug", "price", "popularity", "rating"),
    ),
    Arg("sku", "string"),
)

TAX_ARGS: tuple[Arg, ...] = (
    CONTEXT,
    PAGE,
    PER_PAGE,
    OFFSET,
    ASCENDING,
    Arg("orderby", "string", "order", enum=("id", "order", "priority")),
    Arg("class", "string"),
)
