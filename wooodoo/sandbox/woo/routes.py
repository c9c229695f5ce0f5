"""Which handler answers which path and method, and the checks WordPress runs before it does."""

from __future__ import annotations

import re
from dataclasses import dataclass

from wooodoo.sandbox.woo.http import Handler, Req, Resp, RestError, no_route
from wooodoo.sandbox.woo.orders import OrderRoutes
from wooodoo.sandbox.woo.params import (
    CUSTOMER_ARGS,
    PRODUCT_ARGS,
    REFUND_ARGS,
    REFUND_LIST_ARGS,
    TAX_ARGS,
    WEBHOOK_ARGS,
    Arg,
    InvalidParams,
    validate,
)
from wooodoo.sandbox.woo.refund_list import RefundList
from wooodoo.sandbox.woo.resources import ResourceRoutes
from wooodoo.sandbox.woo.site import SiteRoutes
from wooodoo.sandbox.woo.webhook_routes import WebhookRoutes

DENIED: dict[str, tuple[str, str]] = {
    "list": ("woocommerce_rest_cannot_view", "Sorry, you cannot list resources."),
    "view": ("woocommerce_rest_cannot_view", "Sorry, you cannot view this resource."),
    "create": ("woocommerce_rest_cannot_create", "Sorry, you are not allowed to create resources."),
    "edit": ("woocommerce_rest_cannot_edit", "Sorry, you are not allowed to edit this resource."),
    "delete": (
        "woocommerce_rest_cannot_delete",
        "Sorry, you are not allowed to delete this resource.",
    ),
}
READ = ("GET",)
CREATE = ("POST",)
EDIT = ("POST", "PUT", "PATCH")
DELETE = ("DELETE",)
ITEM_ID = r"(?P<id>\d+)"


@dataclass(frozen=True)
class Endpoint:
    methods: tuple[str, ...]
    handler: Handler
    kind: str  # list | view | create | edit | delete: which 401 an anonymous caller gets
    args: tuple[Arg, ...] = ()


@dataclass(frozen=True)
class Route:
    pattern: re.Pattern[str]
    endpoints: tuple[Endpoint, ...]

    @property
    def allow(self) -> str:
        methods: list[str] = []
        for endpoint in self.endpoints:
            methods += [m for m in endpoint.methods if m not in methods]
        return ", ".join(methods)


def not_implemented(req: Req) -> Resp:
    raise RestError(
        "sandbox_not_implemented",
        f"The WooCommerce sandbox does not implement {req.method} {req.route}.",
        501,
    )


def route(path: str, *endpoints: Endpoint) -> Route:
    return Route(re.compile(f"^/wc/v3/{path}$", re.IGNORECASE), endpoints)


def listing(
    path: str, handler: Handler, args: tuple[Arg, ...], create: Handler = not_implemented
) -> Route:
    """A collection: GET lists it, POST adds to it."""
    return route(path, Endpoint(READ, handler, "list", args), Endpoint(CREATE, create, "create"))


def item(
    path: str, view: Handler, edit: Handler = not_implemented, delete: Handler = not_implemented
) -> Route:
    """One record: GET shows it, POST/PUT/PATCH edit it, DELETE removes it."""
    return route(
        path,
        Endpoint(READ, view, "view"),
        Endpoint(EDIT, edit, "edit"),
        Endpoint(DELETE, delete, "delete"),
    )


class Router:
    """The wc/v3 routes; a request is matched, its arguments checked, then its caller."""

    def __init__(
        self,
        orders: OrderRoutes,
        resources: ResourceRoutes,
        hooks: WebhookRoutes,
        site: SiteRoutes,
        refund_list: RefundList | None = None,
    ) -> None:
        """``refund_list``: ``/refunds``, which WooCommerce serves from 9.0 (None: no route)."""
        self.site = site
        o, r = orders, resources
        refunds = r"orders/(?P<order_id>\d+)/refunds"
        variations = r"products/(?P<product_id>\d+)/variations"
        self.routes = [
            listing("orders", o.list, o.args, create=o.create),
            item(f"orders/{ITEM_ID}", o.get, o.update, o.delete),
            listing(refunds, o.refunds, REFUND_ARGS, create=o.create_refund),
            route(
                f"{refunds}/{ITEM_ID}",
                Endpoint(READ, o.refund, "view"),
                Endpoint(DELETE, not_implemented, "delete"),
            ),
            listing("customers", r.customers, CUSTOMER_ARGS),
            item(f"customers/{ITEM_ID}", r.customer),
            listing("products", r.products, PRODUCT_ARGS),
            item(f"products/{ITEM_ID}", r.product),
            listing(variations, r.variations, PRODUCT_ARGS),
            item(f"{variations}/{ITEM_ID}", r.variation),
            listing("taxes", r.taxes, TAX_ARGS),
            listing("taxes/classes", r.tax_classes, ()),
            item(f"taxes/{ITEM_ID}", r.tax),
            listing("webhooks", hooks.list, WEBHOOK_ARGS, create=hooks.create),
            item(f"webhooks/{ITEM_ID}", hooks.get, hooks.update, hooks.delete),
            route("system_status", Endpoint(READ, site.system_status, "list")),
            route("settings/general", Endpoint(READ, site.settings_general, "list")),
            route("settings/tax", Endpoint(READ, site.settings_tax, "list")),
        ]
        if refund_list is not None:  # read only: no POST, so a POST finds no route
            self.routes.append(
                route("refunds", Endpoint(READ, refund_list.list, "list", REFUND_LIST_ARGS))
            )

    def dispatch(self, req: Req) -> tuple[Resp, str | None]:
        """The answer, and the ``Allow`` header an authenticated caller is shown."""
        if req.route == "/":
            return self.site.index(req), None
        if req.route.lower() == "/wc/v3":
            return Resp(200, {"namespace": "wc/v3", "routes": {}}), None
        for candidate in self.routes:
            match = candidate.pattern.match(req.route)
            if match is None:
                continue
            allow = candidate.allow if req.key is not None else None
            if req.method == "OPTIONS":
                methods = candidate.allow.split(", ")
                return Resp(200, {"namespace": "wc/v3", "methods": methods}), allow
            endpoint = next((e for e in candidate.endpoints if req.method in e.methods), None)
            if endpoint is None:
                continue
            req.match = match.groupdict()
            try:
                if endpoint.args:
                    validate(endpoint.args, dict(req.query))
                if req.key is None:
                    code, message = DENIED[endpoint.kind]
                    raise RestError(code, message, 401)
                return endpoint.handler(req), allow
            except RestError as exc:
                return exc.response(), allow
            except InvalidParams as exc:
                return Resp(400, exc.body()), allow
        raise no_route()
