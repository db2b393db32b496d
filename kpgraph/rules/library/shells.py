"""Shell companies: new companies behind one registration or one address, trading high
value at once. The industry's self-regulation cannot see them; Amnesty International asked
governments to monitor the industry's compliance (Recommendation 3)."""

from __future__ import annotations

from ...graph import GraphModel
from ...identifiers import normalise_address, normalise_registration
from ...queries.twins import in_period, shipment_columns, twin
from .. import Finding, entities, period_of, rule

__all__ = ["shell_company_rows", "shell_company"]

SHARED = {"registration_no": "a registration number", "address": "an address"}


@twin("flag_shell_company")
def shell_company_rows(g: GraphModel, since=None, until=None) -> list[dict]:
    g = in_period(g, since, until)
    c, s = g.companies, g.shipments
    if c.empty or s.empty:
        return []
    data_last = s["shipped_on"].max().date()
    median_vpc = float((s["value_usd"] / s["carats"]).median())
    rows = []
    for kind, norm in (("registration_no", normalise_registration), ("address",
                                                                     normalise_address)):
        keyed = c.assign(value=c[kind].map(norm)).dropna(subset=["value"])
        for value, grp in keyed.groupby("value", sort=True):
            if len(grp) < 2:
                continue
            members = set(grp["company_id"])
            ships = s[s["exporter_id"].isin(members) | s["importer_id"].isin(members)]
            rows.append({
                "kind": kind, "value": value, "companies": sorted(members),
                "countries": sorted(set(grp["country"])),
                "ever_audited": bool(grp["last_audit"].notna().any()),
                **shipment_columns(ships),
                "carats": float(ships["carats"].sum()),
                "value_usd": float(ships["value_usd"].sum()),
                "data_last": data_last, "median_vpc": median_vpc})
    return rows


@rule("shell_company", "shell_company",
      "Recommendation 3 (monitor the industry's compliance)", query="flag_shell_company",
      new_days=365)
def shell_company(rows: list[dict], new_days: int = 365) -> list[Finding]:
    """Two or more companies that share a registration number or an address once both are
    normalised (case, punctuation and spacing ignored; St., Rd., Ave. and other common
    abbreviations spelled out); a group already found by registration is not repeated by
    address. Severity rises when the group is newly active (its first shipment within
    ``new_days``, default 365, of the last day in the data), never audited, and trades high
    value per carat (above the dataset's median)."""
    out = []
    seen: set[frozenset] = set()
    for r in sorted(rows, key=lambda r: (r["kind"] != "registration_no", r["value"])):
        members = frozenset(r["companies"])
        if members in seen:
            continue
        seen.add(members)
        n = len(r["shipments"])
        first = r["first_day"]
        new = n > 0 and (r["data_last"] - first).days <= new_days
        vpc = r["value_usd"] / r["carats"] if n else 0.0
        high = n > 0 and vpc > r["median_vpc"]
        out.append(Finding(
            rule="shell_company", typology="shell_company",
            severity=round(0.5 + 0.2 * new + 0.1 * (not r["ever_audited"]) + 0.2 * high, 2),
            summary=(f"{len(members)} companies ({', '.join(sorted(members))}) share "
                     f"{SHARED[r['kind']]}; {n} shipment(s) worth "
                     f"{r['value_usd']:,.2f} USD at {vpc:,.2f} USD/ct"
                     + (f", first on {first}" if n else "") + "."),
            entities=entities(countries=r["countries"], companies=members,
                              shipments=r["shipments"], certificates=r["certificates"]),
            period=period_of([r["first_day"], r["last_day"]]),
            evidence={"shared": r["kind"], "value": r["value"], "newly_active": bool(new),
                      "ever_audited": r["ever_audited"], "usd_per_carat": round(vpc, 4),
                      "dataset_median_usd_per_carat": round(r["median_vpc"], 4)}))
    return out
