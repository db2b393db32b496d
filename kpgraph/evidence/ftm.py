"""The evidence graph as FollowTheMoney entities, built with the followthemoney model.

Companies become ``Company``; shipments ``EconomicActivity`` (FtM's customs declaration:
sender, receiver, date, origin, departure and destination countries, the HS code as
``vedCode``); KP certificates ``License`` (a permit, linked from the shipments that used it
as their ``contract``). Countries are FtM country codes on those entities. Entity ids are
derived from kpgraph's keys, so the same data gives the same ids.
"""

from __future__ import annotations

from followthemoney import model
from followthemoney.types import registry

from .graph import EvidenceGraph

__all__ = ["entities"]

_GOODS = {"7102.10": "rough diamonds, unsorted", "7102.21": "rough industrial diamonds",
          "7102.31": "rough non-industrial diamonds", "7102.29": "worked industrial diamonds",
          "7102.39": "worked non-industrial diamonds"}


def _country(iso3):
    return registry.country.clean(iso3) if iso3 else None


def _add(entity, prop: str, value) -> None:
    if value is None or value == "":
        return
    entity.add(prop, value.isoformat() if hasattr(value, "isoformat") else str(value))


def entities(graph: EvidenceGraph) -> list[dict]:
    """Entity dicts (checked against the model: an unknown property raises)."""
    made = {}

    def make(schema: str, label: str, key: str):
        e = model.make_entity(schema)
        e.make_id("kpgraph", label, key)
        made[f"{label}:{key}"] = e
        return e

    for n in graph.nodes:
        p = n.properties
        if n.label == "Company":
            e = make("Company", n.label, n.key)
            _add(e, "name", p.get("name") or n.key)
            _add(e, "jurisdiction", _country(p.get("country")))
            _add(e, "registrationNumber", p.get("registration_no"))
            _add(e, "address", p.get("address"))
            _add(e, "sector", p.get("role"))
            _add(e, "idNumber", n.key)
            if p.get("free_zone"):
                _add(e, "notes", f"free zone: {p['free_zone']}")
            _add(e, "notes", f"last KP audit: {p['last_audit']}" if p.get("last_audit")
                 else "never audited")
        elif n.label == "Certificate":
            e = make("License", n.label, n.key)
            _add(e, "name", f"KP certificate {n.key}")
            _add(e, "procedureNumber", n.key)
            _add(e, "country", _country(p.get("issuing_country")))
            _add(e, "contractDate", p.get("issued_on"))
            _add(e, "amountUsd", p.get("value_usd"))
            _add(e, "commodities", "rough diamonds")
            _add(e, "description",
                 f"{p.get('carats')} carats; origin {p.get('origin') or 'unknown'}; "
                 f"expires {p.get('expires_on') or 'unknown'}; "
                 f"confirmed {p.get('confirmed_on') or 'never'}")
    for n in graph.nodes:
        p = n.properties
        if n.label != "Shipment":
            continue
        e = make("EconomicActivity", n.label, n.key)
        _add(e, "ccdNumber", n.key)
        _add(e, "date", p.get("shipped_on"))
        _add(e, "vedCode", p.get("hs_code"))
        _add(e, "goodsDescription", _GOODS.get(p.get("hs_code"), "diamonds"))
        _add(e, "customsAmount", f"{p['value_usd']} USD" if p.get("value_usd") is not None
             else None)
        _add(e, "description", f"{p.get('carats')} carats")
        origin = p.get("declared_origin")
        _add(e, "originCountry", _country(origin) if origin != "MIXED" else None)
        if origin == "MIXED":
            _add(e, "summary", "declared origin: MIXED")
        for prop, ref in (("sender", "exporter_id"), ("receiver", "importer_id")):
            other = made.get(f"Company:{p.get(ref)}")
            if other is not None:
                e.add(prop, other.id)
                if prop == "sender":
                    _add(e, "departureCountry",
                         (other.get("jurisdiction") or [None])[0])
                else:
                    _add(e, "destinationCountry",
                         (other.get("jurisdiction") or [None])[0])
        cert = made.get(f"Certificate:{p.get('certificate_id')}")
        if cert is not None:
            e.add("contract", cert.id)
    return [e.to_dict() for e in made.values()]
