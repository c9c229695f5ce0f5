"""The words the schema is written in: a field, a model, and the fields every model has."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Field:
    type: str
    string: str = ""
    relation: str | None = None
    required: bool = False
    readonly: bool = False
    computed: bool = False  # not stored from vals: writes are ignored, reads are computed
    selection: tuple[str, ...] = ()
    default: Any = None


@dataclass
class ModelSpec:
    name: str
    fields: dict[str, Field]
    order: str = "id"
    rec_name: str = "name"
    description: str = ""

    def stored_defaults(self) -> dict[str, Any]:
        """The default of every stored field that has one: a new row starts from these."""
        return {
            n: f.default for n, f in self.fields.items() if f.default is not None and not f.computed
        }


# the flags of a field computed by Odoo and shown read-only
COMPUTED: dict[str, Any] = {"readonly": True, "computed": True}


def field(kind: str, string: str = "", relation: str | None = None, **flags: Any) -> Field:
    return Field(kind, string, relation, **flags)


def model(name: str, fields: dict[str, Field], order: str = "id") -> ModelSpec:
    """A model with the fields every Odoo model has, then ``fields``."""
    common = {
        "id": field("integer", "ID", **COMPUTED),
        "display_name": field("char", "Display Name", **COMPUTED),
        "create_date": field("datetime", "Created on", **COMPUTED),
        "write_date": field("datetime", "Last Updated on", **COMPUTED),
    }
    return ModelSpec(name, {**common, **fields}, order)
