"""res.partner values for registered customers and guest buyers (no I/O)."""

from __future__ import annotations

from typing import Any

from wooodoo.errors import MappingError
from wooodoo.sync.mapping.keys import customer_key, guest_email, guest_key
from wooodoo.sync.mapping.reference import Reference
from wooodoo.woo.models import Address, Customer, Order


def partner_values(
    key: str, address: Address, email: str, ref: Reference, *, fallback_name: str = ""
) -> dict[str, Any]:
    """res.partner values for a customer or guest; raises MappingError on unknown country."""
    problems: list[str] = []
    name = address.full_name or address.company or email or fallback_name
    values: dict[str, Any] = {
        "name": name,
        "email": email.strip() or False,
        "phone": address.phone or False,
        "street": address.address_1 or False,
        "street2": address.address_2 or False,
        "city": address.city or False,
        "zip": address.postcode or False,
        "ref": key,
        "customer_rank": 1,
    }
    if address.company and address.full_name:
        values["company_name"] = address.company
    country = address.country.upper()
    if country:
        country_id = ref.countries.get(country)
        if country_id is None:
            problems.append(f"country {country!r} is not known to Odoo")
        else:
            values["country_id"] = country_id
            state = address.state.upper()
            if state:
                # Unknown states are common (free-text states): keep the address, drop the state.
                state_id = ref.states.get((country, state))
                if state_id is not None:
                    values["state_id"] = state_id
    if problems:
        raise MappingError(f"partner {key}: cannot be mapped", problems=problems)
    return values


def customer_partner_values(customer: Customer, ref: Reference) -> dict[str, Any]:
    address = customer.billing
    if not address.full_name:
        address = Address(
            **{
                **address.__dict__,
                "first_name": customer.first_name,
                "last_name": customer.last_name,
            }
        )
    return partner_values(
        customer_key(ref.tenant, customer.id),
        address,
        customer.email or customer.billing.email,
        ref,
        fallback_name=customer.username,
    )


def guest_partner_values(order: Order, ref: Reference) -> dict[str, Any]:
    return partner_values(
        guest_key(ref.tenant, guest_email(order)),
        order.billing,
        order.billing.email,
        ref,
        fallback_name=f"Guest of order {order.number}",
    )
