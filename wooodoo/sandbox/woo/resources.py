"""Customers, products and variations, and tax rates: the look-alike's other read-only routes."""

from __future__ import annotations

from wooodoo.sandbox.shop.model import Customer
from wooodoo.sandbox.shop.store import StoreData
from wooodoo.sandbox.woo.http import (
    Req,
    Resp,
    RestError,
    collection,
    invalid_resource_id,
    paginate,
    select,
    single,
)
from wooodoo.sandbox.woo.params import CUSTOMER_ARGS, PRODUCT_ARGS, TAX_ARGS, validate
from wooodoo.sandbox.woo.render import render_customer
from wooodoo.sandbox.woo.render_catalog import render_product, render_tax_rate, render_variation


class ResourceRoutes:
    def __init__(self, store: StoreData) -> None:
        self.store = store

    # ---- customers -------------------------------------------------------------------------

    def customers(self, req: Req) -> Resp:
        p = validate(CUSTOMER_ARGS, req.query)
        with self.store.lock:
            found: list[Customer] = select(list(self.store.customers.values()), p)
            if p["role"] != "all":
                found = [c for c in found if c.role == p["role"]]
            if p["email"]:
                wanted = str(p["email"]).casefold()
                found = [c for c in found if c.email.casefold() == wanted]
            elif p["search"]:
                needle = str(p["search"]).casefold()
                found = [
                    c
                    for c in found
                    if needle in f"{c.username} {c.email} {c.first_name} {c.last_name}".casefold()
                ]
            keys = {
                "id": lambda c: c.id,
                "registered_date": lambda c: (c.date_created, c.id),
                "name": lambda c: (c.username.casefold(), c.id),
            }
            if p["orderby"] == "include" and p["include"]:
                position = {cid: i for i, cid in enumerate(p["include"])}
                found.sort(key=lambda c: position.get(c.id, 0))
            else:
                found.sort(key=keys.get(p["orderby"], keys["name"]), reverse=p["order"] == "desc")
            page = paginate(found, p["page"], p["per_page"], p["offset"])
            rendered = [render_customer(c, req.home) for c in page.items]
        return collection(req, page, p["page"], rendered, dict(req.query))

    def customer(self, req: Req) -> Resp:
        with self.store.lock:
            customer = self.store.customers.get(req.int_match("id"))
            if customer is None:
                raise invalid_resource_id()
            return single(req, render_customer(customer, req.home))

    # ---- products and taxes ----------------------------------------------------------------

    def products(self, req: Req) -> Resp:
        p = validate(PRODUCT_ARGS, req.query)
        with self.store.lock:
            found = select(list(self.store.products.values()), p)
            if p["sku"]:
                wanted = {s.strip() for s in str(p["sku"]).split(",")}
                found = [x for x in found if x.sku in wanted]
            if p["search"]:
                found = [x for x in found if str(p["search"]).casefold() in x.name.casefold()]
            found.sort(key=lambda x: x.id, reverse=p["order"] == "desc")
            page = paginate(found, p["page"], p["per_page"], p["offset"])
            rendered = [render_product(x, req.home, self._related(x.id)) for x in page.items]
        return collection(req, page, p["page"], rendered, dict(req.query))

    def _related(self, product_id: int) -> list[int]:
        product = self.store.products[product_id]
        return [
            x.id
            for x in self.store.products.values()
            if x.category == product.category and x.id != product_id
        ][:4]

    def product(self, req: Req) -> Resp:
        with self.store.lock:
            product = self.store.products.get(req.int_match("id"))
            if product is None:
                raise RestError("woocommerce_rest_product_invalid_id", "Invalid ID.", 404)
            return single(req, render_product(product, req.home, self._related(product.id)))

    def variations(self, req: Req) -> Resp:
        p = validate(PRODUCT_ARGS, req.query)
        with self.store.lock:
            product = self.store.products.get(req.int_match("product_id"))
            found = list(product.variations) if product else []
            page = paginate(found, p["page"], p["per_page"], p["offset"])
            rendered = (
                [render_variation(product, v, req.home) for v in page.items] if product else []
            )
        return collection(req, page, p["page"], rendered, dict(req.query))

    def variation(self, req: Req) -> Resp:
        with self.store.lock:
            product = self.store.products.get(req.int_match("product_id"))
            variation = self.store.variations.get(req.int_match("id"))
            if product is None or variation is None or variation.parent_id != product.id:
                raise RestError("woocommerce_rest_product_variation_invalid_id", "Invalid ID.", 404)
            return single(req, render_variation(product, variation, req.home))

    def taxes(self, req: Req) -> Resp:
        p = validate(TAX_ARGS, req.query)
        rates = [r for r in self.store.tax_rates if not p["class"] or r.tax_class == p["class"]]
        rates.sort(key=lambda r: r.id, reverse=p["order"] == "desc")
        page = paginate(rates, p["page"], p["per_page"], p["offset"])
        rendered = [render_tax_rate(r, req.home) for r in page.items]
        return collection(req, page, p["page"], rendered, dict(req.query))

    def tax(self, req: Req) -> Resp:
        rate = next((r for r in self.store.tax_rates if r.id == req.int_match("id")), None)
        if rate is None:
            raise invalid_resource_id()
        return single(req, render_tax_rate(rate, req.home))

    def tax_classes(self, req: Req) -> Resp:
        link = [{"href": f"{req.home}/wp-json/wc/v3/taxes/classes"}]
        return Resp(
            200,
            [
                {"slug": slug, "name": name, "_links": {"collection": link}}
                for slug, name in (
                    ("standard", "Standard rate"),
                    ("reduced-rate", "Reduced rate"),
                    ("zero-rate", "Zero rate"),
                )
            ],
        )
