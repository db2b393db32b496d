"""Shell companies: new companies behind one registration or one address, trading high
value at once. The industry's self-regulation cannot see them; Amnesty International asked
governments to monitor the industry's compliance (Recommendation 3)."""

from __future__ import annotations

import re

import pandas as pd

from ...graph import GraphModel
from .. import Finding, rule

# Written forms of the same address word, so that "12 Harbour St." and "12 HARBOUR STREET"
# match. Extend with care: every entry can merge two real addresses.
_WORDS = {"st": "street", "str": "street", "rd": "road", "ave": "avenue", "av": "avenue",
          "blvd": "boulevard", "bldg": "building", "fl": "floor", "no": "number",
          "ste": "suite", "twr": "tower"}


def normalise_address(text) -> str | None:
    """Lower case, words only (punctuation and spacing dropped), common abbreviations
    spelled out."""
    if text is None or pd.isna(text):
        return None
    words = re.findall(r"[^\W_]+", str(text).lower())
    return " ".join(_WORDS.get(w, w) for w in words) or None


def normalise_registration(text) -> str | None:
    """Letters and digits only, upper case: "AE-123 45" and "ae12345" are one number."""
    if text is None or pd.isna(text):
        return None
    return re.sub(r"[^0-9A-Za-z]", "", str(text)).upper() or None


@rule("shell_company", "shell_company",
      "Recommendation 3 (monitor the industry's compliance)", new_days=365)
def shell_company(g: GraphModel, new_days: int = 365) -> list[Finding]:
    """Two or more companies that share a registration number or an address once both are
    normalised (case, punctuation and spacing ignored; St., Rd., Ave. and other common
    abbreviations spelled out). Severity rises when the group is newly active (its first
    shipment within ``new_days``, default 365, of the last day in the data), never audited,
    and trades high value per carat (above the dataset's rough median)."""
    c = g.companies
    s = g.shipments
    if c.empty or s.empty:
        return []
    keys = {"registration_no": c["registration_no"].map(normalise_registration),
            "address": c["address"].map(normalise_address)}
    last = s["shipped_on"].max()
    median_vpc = (s["value_usd"] / s["carats"]).median()
    out = []
    seen: set[frozenset] = set()
    for kind, norm in keys.items():
        groups = c.assign(norm=norm).dropna(subset=["norm"]).groupby("norm")["company_id"]
        for value, ids in groups:
            members = frozenset(ids)
            if len(members) < 2 or members in seen:
                continue
            seen.add(members)
            ships = s[s["exporter_id"].isin(members) | s["importer_id"].isin(members)]
            first = ships["shipped_on"].min() if len(ships) else pd.NaT
            new = bool(len(ships)) and (last - first).days <= new_days
            audited = c.loc[c["company_id"].isin(members), "last_audit"].notna().any()
            vpc = (ships["value_usd"].sum() / ships["carats"].sum()) if len(ships) else 0.0
            high = bool(len(ships)) and vpc > median_vpc
            severity = round(0.5 + 0.2 * new + 0.1 * (not audited) + 0.2 * high, 2)
            names = c.loc[c["company_id"].isin(members), "country"]
            out.append(Finding(
                rule="shell_company", typology="shell_company", severity=severity,
                summary=(f"{len(members)} companies ({', '.join(sorted(members))}) share a "
                         f"{kind.replace('_', ' ')}; {len(ships)} shipment(s) worth "
                         f"{ships['value_usd'].sum():,.2f} USD at {vpc:,.2f} USD/ct"
                         + (f", first on {first:%Y-%m-%d}" if len(ships) else "") + "."),
                entities={"countries": sorted(set(names)), "companies": sorted(members),
                          "shipments": sorted(ships["shipment_id"]),
                          "certificates": sorted(ships["certificate_id"].dropna().unique())},
                period={"from": None if not len(ships) else f"{first:%Y-%m-%d}",
                        "to": None if not len(ships)
                        else f"{ships['shipped_on'].max():%Y-%m-%d}"},
                evidence={"shared": kind, "value": value, "newly_active": new,
                          "ever_audited": bool(audited), "usd_per_carat": float(vpc),
                          "dataset_median_usd_per_carat": float(median_vpc)}))
    return out
