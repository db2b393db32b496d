"""Certificate abuse: the KP certificate is the scheme's only control at the border, and
Amnesty International's first recommendation asks for minimum controls on it."""

from __future__ import annotations

import pandas as pd

from ...graph import ROUGH_HS_CODES, GraphModel
from .. import Finding, rule

SERVES = "Recommendation 1 (minimum control measures): the KP certificate is the control"


def _day(v) -> str | None:
    return None if pd.isna(v) else pd.Timestamp(v).strftime("%Y-%m-%d")


def _finding(rid, severity, summary, ships: pd.DataFrame, certs, countries, evidence):
    comps = sorted(set(ships["exporter_id"]) | set(ships["importer_id"]))
    return Finding(
        rule=rid, typology="certificate_abuse", severity=severity, summary=summary,
        entities={"countries": sorted(set(countries)), "companies": comps,
                  "shipments": sorted(ships["shipment_id"]), "certificates": sorted(certs)},
        period={"from": _day(ships["shipped_on"].min()), "to": _day(ships["shipped_on"].max())},
        evidence=evidence)


@rule("certificate_reused", "certificate_abuse", SERVES)
def certificate_reused(g: GraphModel) -> list[Finding]:
    """One KP certificate covering several shipments. A certificate accompanies one
    parcel across one border; a second shipment on it carries goods that no authority
    certified. Cost: one group-by over shipments."""
    s = g.shipments[g.shipments["certificate_id"].notna()]
    counts = s["certificate_id"].value_counts()
    out = []
    for cert in sorted(counts[counts > 1].index):
        ships = s[s["certificate_id"] == cert].sort_values("shipped_on")
        out.append(_finding(
            "certificate_reused", 0.9,
            f"Certificate {cert} covers {len(ships)} shipments "
            f"({', '.join(ships['shipment_id'])}) totalling {ships['carats'].sum():,.2f} ct.",
            ships, [cert], [], {"shipments": int(len(ships)),
                                "carats": float(ships["carats"].sum())}))
    return out


def _joined(g: GraphModel) -> pd.DataFrame:
    s = g.shipments[g.shipments["certificate_id"].notna()]
    return s.merge(g.certificates, on="certificate_id", suffixes=("", "_cert"))


@rule("certificate_wrong_issuer", "certificate_abuse", SERVES)
def certificate_wrong_issuer(g: GraphModel) -> list[Finding]:
    """A certificate issued by another country than the exporter's. Only the exporting
    participant's authority may certify a parcel leaving it; a foreign certificate is
    how a suspended country's rough borrows another's papers."""
    m = _joined(g)
    country = g.companies.set_index("company_id")["country"]
    m = m.assign(exporter_country=m["exporter_id"].map(country))
    bad = m[m["issuing_country"] != m["exporter_country"]]
    out = []
    for cert, grp in bad.groupby("certificate_id", sort=True):
        r = grp.iloc[0]
        out.append(_finding(
            "certificate_wrong_issuer", 0.8,
            f"Certificate {cert} was issued by {r.issuing_country} for a shipment from "
            f"{r.exporter_id}, registered in {r.exporter_country}.",
            grp, [cert], [r.issuing_country, r.exporter_country],
            {"issuing_country": r.issuing_country, "exporter_country": r.exporter_country}))
    return out


@rule("certificate_expired", "certificate_abuse", SERVES)
def certificate_expired(g: GraphModel) -> list[Finding]:
    """A shipment that left after its certificate expired: an expired certificate
    certifies nothing, and re-using old papers is how uncertified rough slips through."""
    m = _joined(g)
    bad = m[m["expires_on"].notna() & (m["shipped_on"] > m["expires_on"])]
    out = []
    for r in bad.sort_values("certificate_id").itertuples(index=False):
        late = int((r.shipped_on - r.expires_on).days)
        out.append(_finding(
            "certificate_expired", 0.7,
            f"Shipment {r.shipment_id} left on {_day(r.shipped_on)}, {late} days after its "
            f"certificate {r.certificate_id} expired ({_day(r.expires_on)}).",
            bad[bad["shipment_id"] == r.shipment_id], [r.certificate_id],
            [r.issuing_country], {"days_after_expiry": late}))
    return out


@rule("certificate_unconfirmed", "certificate_abuse", SERVES, grace_days=90)
def certificate_unconfirmed(g: GraphModel, grace_days: int = 90) -> list[Finding]:
    """A certificate that the importing authority never confirmed, although it was
    issued more than ``grace_days`` (default 90) before the last shipping day in the data:
    the parcel may never have reached the declared importer. Recent certificates, whose
    confirmation may still come, are left out."""
    k = g.certificates
    if k.empty or g.shipments.empty:
        return []
    cutoff = g.shipments["shipped_on"].max() - pd.Timedelta(days=grace_days)
    bad = k[k["confirmed_on"].isna() & (k["issued_on"] <= cutoff)]
    s = g.shipments
    out = []
    for r in bad.sort_values("certificate_id").itertuples(index=False):
        ships = s[s["certificate_id"] == r.certificate_id]
        if ships.empty:
            continue
        out.append(_finding(
            "certificate_unconfirmed", 0.6,
            f"Certificate {r.certificate_id} ({r.issuing_country}, issued "
            f"{_day(r.issued_on)}, {r.carats:,.2f} ct) was never confirmed by the "
            "importing authority.",
            ships, [r.certificate_id], [r.issuing_country],
            {"issued_on": _day(r.issued_on), "grace_days": grace_days}))
    return out


@rule("certificate_mismatch", "certificate_abuse", SERVES, tolerance=0.02)
def certificate_mismatch(g: GraphModel, tolerance: float = 0.02) -> list[Finding]:
    """A certificate whose carats or value differ from its shipment's by more than
    ``tolerance`` (default 2 %), for rough shipments on a certificate that covers one
    shipment (reuse is its own rule)."""
    m = _joined(g)
    m = m[m["hs_code"].isin(ROUGH_HS_CODES)]
    once = m["certificate_id"].map(m["certificate_id"].value_counts()) == 1
    m = m[once]
    dc = (m["carats_cert"] - m["carats"]).abs() / m["carats"]
    dv = (m["value_usd_cert"] - m["value_usd"]).abs() / m["value_usd"].where(
        m["value_usd"] > 0)
    bad = m[(dc > tolerance) | (dv.fillna(0) > tolerance)]
    out = []
    for r in bad.sort_values("certificate_id").itertuples(index=False):
        out.append(_finding(
            "certificate_mismatch", 0.7,
            f"Certificate {r.certificate_id} states {r.carats_cert:,.2f} ct and "
            f"{r.value_usd_cert:,.2f} USD; shipment {r.shipment_id} carried {r.carats:,.2f} "
            f"ct declared at {r.value_usd:,.2f} USD.",
            bad[bad["shipment_id"] == r.shipment_id], [r.certificate_id], [r.issuing_country],
            {"certificate_carats": float(r.carats_cert), "shipment_carats": float(r.carats),
             "certificate_value_usd": float(r.value_usd_cert),
             "shipment_value_usd": float(r.value_usd)}))
    return out
