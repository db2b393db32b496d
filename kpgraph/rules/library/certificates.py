"""Certificate abuse: the KP certificate is the scheme's only control at the border, and
Amnesty International's first recommendation asks for minimum controls on it.

Each rule is a canned query (``cypher/flag_certificate_*.cypher``) with its embedded twin
here, and a report that turns the query's rows into findings."""

from __future__ import annotations

import pandas as pd

from ...graph import ROUGH_HS_CODES, GraphModel
from ...queries.twins import in_period, records, twin
from .. import Finding, entities, period_of, rule

__all__ = ["certificate_reused_rows", "certificate_reused", "certificate_wrong_issuer_rows",
           "certificate_wrong_issuer", "certificate_expired_rows", "certificate_expired",
           "certificate_unconfirmed_rows", "certificate_unconfirmed", "certificate_mismatch_rows",
           "certificate_mismatch"]

SERVES = "Recommendation 1 (minimum control measures): the KP certificate is the control"


def _ct(x) -> str:
    return "unknown" if x is None else f"{x:,.2f}"


def _finding(rid: str, severity: float, summary: str, r: dict, evidence: dict,
             countries=()) -> Finding:
    return Finding(rule=rid, typology="certificate_abuse", severity=severity, summary=summary,
                   entities=entities(countries=countries, companies=r["companies"],
                                     shipments=r["shipments"],
                                     certificates=[r["certificate_id"]]),
                   period=period_of([r["first_day"], r["last_day"]]), evidence=evidence)


def _groups(ships: pd.DataFrame, extra: dict | None = None) -> list[dict]:
    """One row per certificate: its shipments in date order, their companies and days, and
    ``extra`` columns (name: a function of the certificate's first shipment row)."""
    ships = ships.sort_values(["shipped_on", "shipment_id"])
    rows = []
    for cert, grp in ships.groupby("certificate_id", sort=True):
        first = grp.iloc[0]
        rows.append({"certificate_id": cert,
                     **{k: fn(first) for k, fn in (extra or {}).items()},
                     "shipments": list(grp["shipment_id"]),
                     "companies": sorted(set(grp["exporter_id"]) | set(grp["importer_id"])),
                     "first_day": grp["shipped_on"].iloc[0].date(),
                     "last_day": grp["shipped_on"].iloc[-1].date(),
                     "carats": float(grp["carats"].sum())})
    return rows


# -- one certificate, several shipments ---------------------------------------------------
@twin("flag_certificate_reused")
def certificate_reused_rows(g: GraphModel, since=None, until=None) -> list[dict]:
    s = in_period(g, since, until).shipments
    s = s[s["certificate_id"].notna()]
    counts = s["certificate_id"].value_counts()
    return _groups(s[s["certificate_id"].isin(counts.index[counts > 1])])


@rule("certificate_reused", "certificate_abuse", SERVES, query="flag_certificate_reused")
def certificate_reused(rows: list[dict]) -> list[Finding]:
    """One KP certificate covering several shipments. A certificate accompanies one
    parcel across one border; a second shipment on it carries goods that no authority
    certified. Cost: one group-by over shipments."""
    return [_finding(
        "certificate_reused", 0.9,
        f"Certificate {r['certificate_id']} covers {len(r['shipments'])} shipments "
        f"({', '.join(r['shipments'])}) totalling {r['carats']:,.2f} ct.", r,
        {"shipments": len(r["shipments"]), "carats": round(r["carats"], 4)}) for r in rows]


# -- issued by another country than the exporter's ----------------------------------------
def _joined(g: GraphModel) -> pd.DataFrame:
    s = g.shipments[g.shipments["certificate_id"].notna()]
    return s.merge(g.certificates, on="certificate_id", suffixes=("", "_cert"))


@twin("flag_certificate_wrong_issuer")
def certificate_wrong_issuer_rows(g: GraphModel, since=None, until=None) -> list[dict]:
    g = in_period(g, since, until)
    m = _joined(g)
    m = m.assign(exporter_country=m["exporter_id"].map(
        g.companies.set_index("company_id")["country"]))
    return _groups(m[m["issuing_country"] != m["exporter_country"]], {
        "issuing_country": lambda r: r["issuing_country"],
        "exporter_id": lambda r: r["exporter_id"],
        "exporter_country": lambda r: r["exporter_country"]})


@rule("certificate_wrong_issuer", "certificate_abuse", SERVES,
      query="flag_certificate_wrong_issuer")
def certificate_wrong_issuer(rows: list[dict]) -> list[Finding]:
    """A certificate issued by another country than the exporter's. Only the exporting
    participant's authority may certify a parcel leaving it; a foreign certificate is
    how a suspended country's rough borrows another's papers. The exporter named is that
    of the first such shipment on the certificate."""
    return [_finding(
        "certificate_wrong_issuer", 0.8,
        f"Certificate {r['certificate_id']} was issued by {r['issuing_country']} for a "
        f"shipment from {r['exporter_id']}, registered in {r['exporter_country']}.", r,
        {"issuing_country": r["issuing_country"], "exporter_country": r["exporter_country"]},
        countries=[r["issuing_country"], r["exporter_country"]]) for r in rows]


# -- shipped after expiry ------------------------------------------------------------------
@twin("flag_certificate_expired")
def certificate_expired_rows(g: GraphModel, since=None, until=None) -> list[dict]:
    m = _joined(in_period(g, since, until))
    bad = m[m["expires_on"].notna() & (m["shipped_on"] > m["expires_on"])]
    bad = bad.assign(days_after_expiry=(bad["shipped_on"] - bad["expires_on"]).dt.days,
                     shipments=bad["shipment_id"].map(lambda x: [x]),
                     companies=[sorted({a, b}) for a, b in zip(bad["exporter_id"],
                                                              bad["importer_id"])],
                     first_day=bad["shipped_on"], last_day=bad["shipped_on"])
    return records(bad.sort_values(["certificate_id", "shipment_id"]),
                   ["certificate_id", "shipments", "companies", "issuing_country",
                    "first_day", "last_day", "expires_on", "days_after_expiry"])


@rule("certificate_expired", "certificate_abuse", SERVES, query="flag_certificate_expired")
def certificate_expired(rows: list[dict]) -> list[Finding]:
    """A shipment that left after its certificate expired: an expired certificate
    certifies nothing, and re-using old papers is how uncertified rough slips through.
    One finding per shipment."""
    return [_finding(
        "certificate_expired", 0.7,
        f"Shipment {r['shipments'][0]} left on {r['first_day']}, {r['days_after_expiry']} "
        f"days after its certificate {r['certificate_id']} expired ({r['expires_on']}).", r,
        {"days_after_expiry": int(r["days_after_expiry"])},
        countries=[r["issuing_country"]]) for r in rows]


# -- never confirmed by the importing authority -------------------------------------------
@twin("flag_certificate_unconfirmed")
def certificate_unconfirmed_rows(g: GraphModel, since=None, until=None,
                                 grace_days: int = 90) -> list[dict]:
    g = in_period(g, since, until)
    k, s = g.certificates, g.shipments
    if k.empty or s.empty:
        return []
    cutoff = s["shipped_on"].max() - pd.Timedelta(days=grace_days)
    bad = k[k["confirmed_on"].isna() & (k["issued_on"] <= cutoff)].set_index("certificate_id")
    rows = _groups(s[s["certificate_id"].isin(bad.index)], {
        "issuing_country": lambda r: bad.at[r["certificate_id"], "issuing_country"],
        "issued_on": lambda r: bad.at[r["certificate_id"], "issued_on"].date(),
        "certificate_carats": lambda r: bad.at[r["certificate_id"], "carats"]})
    for r in rows:
        r["certificate_carats"] = (None if pd.isna(r["certificate_carats"])
                                   else float(r["certificate_carats"]))
        r["shipments"] = sorted(r["shipments"])
        del r["carats"]
    return rows


@rule("certificate_unconfirmed", "certificate_abuse", SERVES,
      query="flag_certificate_unconfirmed", grace_days=90)
def certificate_unconfirmed(rows: list[dict], grace_days: int = 90) -> list[Finding]:
    """A certificate that the importing authority never confirmed, although it was
    issued more than ``grace_days`` (default 90) before the last shipping day in the data:
    the parcel may never have reached the declared importer. Recent certificates, whose
    confirmation may still come, are left out."""
    return [_finding(
        "certificate_unconfirmed", 0.6,
        f"Certificate {r['certificate_id']} ({r['issuing_country']}, issued "
        f"{r['issued_on']}, {_ct(r['certificate_carats'])} ct) was never confirmed by the "
        "importing authority.", r,
        {"issued_on": str(r["issued_on"]), "grace_days": grace_days},
        countries=[r["issuing_country"]]) for r in rows]


# -- carats or value unlike the shipment's ------------------------------------------------
@twin("flag_certificate_mismatch")
def certificate_mismatch_rows(g: GraphModel, since=None, until=None,
                              tolerance: float = 0.02) -> list[dict]:
    m = _joined(in_period(g, since, until))
    m = m[m["hs_code"].isin(ROUGH_HS_CODES)]
    m = m[m["certificate_id"].map(m["certificate_id"].value_counts()) == 1]
    dc = (m["carats_cert"] - m["carats"]).abs() / m["carats"]
    dv = (m["value_usd_cert"] - m["value_usd"]).abs() / m["value_usd"].where(
        m["value_usd"] > 0)
    bad = m[(dc > tolerance) | (dv.fillna(0) > tolerance)]
    bad = bad.assign(shipments=bad["shipment_id"].map(lambda x: [x]),
                     companies=[sorted({a, b}) for a, b in zip(bad["exporter_id"],
                                                              bad["importer_id"])],
                     first_day=bad["shipped_on"], last_day=bad["shipped_on"],
                     certificate_carats=bad["carats_cert"], shipment_carats=bad["carats"],
                     certificate_value_usd=bad["value_usd_cert"],
                     shipment_value_usd=bad["value_usd"])
    return records(bad.sort_values("certificate_id"),
                   ["certificate_id", "shipments", "companies", "issuing_country",
                    "first_day", "last_day", "certificate_carats", "shipment_carats",
                    "certificate_value_usd", "shipment_value_usd"])


@rule("certificate_mismatch", "certificate_abuse", SERVES, query="flag_certificate_mismatch",
      tolerance=0.02)
def certificate_mismatch(rows: list[dict], tolerance: float = 0.02) -> list[Finding]:
    """A certificate whose carats or value differ from its shipment's by more than
    ``tolerance`` (default 2 %), for rough shipments on a certificate that covers one
    shipment (reuse is its own rule)."""
    keys = ("certificate_carats", "shipment_carats", "certificate_value_usd",
            "shipment_value_usd")
    return [_finding(
        "certificate_mismatch", 0.7,
        f"Certificate {r['certificate_id']} states {_ct(r['certificate_carats'])} ct and "
        f"{_ct(r['certificate_value_usd'])} USD; shipment {r['shipments'][0]} carried "
        f"{_ct(r['shipment_carats'])} ct declared at {_ct(r['shipment_value_usd'])} USD.", r,
        {k: None if r[k] is None else float(r[k]) for k in keys},
        countries=[r["issuing_country"]]) for r in rows]
