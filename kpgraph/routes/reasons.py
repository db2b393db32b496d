"""Why a route is risky, with the numbers, and the score that ranks routes.

Reasons come in two tiers. *Red flags* are facts that mark laundering on their own;
*context* makes a route more or less interesting but never flags it alone (a value jump,
a MIXED origin or a new company each describe a great deal of legitimate trade, and a
route that wanders through a busy hub picks them up by chance). Each reason has a weight
in (0, 1), and each tier is combined as independent evidence (noisy-OR,
``1 - prod(1 - weight)``); the score is ``0.9 * red + 0.1 * context``. A route is
*flagged* at :data:`FLAG_AT` (0.5): at least one strong red flag, or two middling ones.

==========================  ======  ==========================================================
red flag                    weight  when
==========================  ======  ==========================================================
kp_status                   0.9     a shipment's exporter, importer or declared origin country
                                    was suspended, expelled, withdrawn, embargoed or not a
                                    KP participant on the shipment's date
round_trip                  0.8     the route returns, after at least three shipments, to the
                                    company it started from with the value per carat higher
                                    (0.3 when not higher)
origin_changed              0.7     the declared origin changes from one country to another
                                    along the route (a neighbour's origin on smuggled rough)
no_certificate              0.6     rough travelled without a KP certificate
unsupplied_source           0.6     the first exporter is not a miner and sent more than 1.5
                                    times the rough it ever received (counting what it sent
                                    from 90 days after the data begins)
high_risk_hub               0.6     a company on the route received at least 95 % of its rough
                                    (by carats, over at least 3 shipments) from high-risk
                                    origins and sent at least 95 % on as MIXED
exports_exceed_supply       0.4     the first exporter's country exported more than it produced
                                    and imported that year (the KP statistics rule)
certificate_mismatch        0.4     the certificate was issued by another country than the
                                    exporter's, had expired, or its carats differ by > 5 %
==========================  ======  ==========================================================

==========================  ======  ==========================================================
context                     weight  when
==========================  ======  ==========================================================
value_jump                  0.5     at a company on the route, value per carat out is at least
                                    2 times, or at most half, value per carat in (once)
mixed_after_high_risk       0.3     the declared origin becomes MIXED after a high-risk origin
new_company                 0.2     a company on the route first traded within 90 days of it
                                    (and at least 90 days after the data begins; once)
unaudited                   0.05    per company never audited, or audited more than three
                                    years before the route (at most three counted)
==========================  ======  ==========================================================

The weights are round numbers chosen for what each reason means, not fitted;
bench/score_routes.py measures what they give on seeds they were not set on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..graph import GraphModel
from ..rules.library.mixed_origin import high_risk_origins
from ..rules.library.statistics import exports_exceed_supply
from ..selection import status_on_dates

__all__ = ["WEIGHTS", "FLAG_AT", "route_reasons", "combine"]

WEIGHTS = {
    "kp_status": 0.9, "round_trip": 0.8, "origin_changed": 0.7, "no_certificate": 0.6,
    "unsupplied_source": 0.6, "high_risk_hub": 0.6, "exports_exceed_supply": 0.4,
    "certificate_mismatch": 0.4,
    "value_jump": 0.5, "mixed_after_high_risk": 0.3, "new_company": 0.2, "unaudited": 0.05,
}
CONTEXT = frozenset({"value_jump", "mixed_after_high_risk", "new_company", "unaudited"})
HIGH_RISK_SHARE = 0.95
HIGH_RISK_MIN = 3  # shipments: fewer say nothing about a company's business
FLAG_AT = 0.5
VALUE_JUMP = 2.0
UNSUPPLIED = 1.5
NEW_DAYS = 90
AUDIT_YEARS = 3


def combine(reasons: list[dict]) -> float:
    """``0.9 * red + 0.1 * context``, each tier the noisy-OR of its weights, to 4 places.

    >>> combine([{"code": "no_certificate", "weight": 0.6},
    ...          {"code": "unsupplied_source", "weight": 0.6}])
    0.756
    >>> combine([{"code": "value_jump", "weight": 0.5}])
    0.05
    """
    def tier(rs):
        return 1.0 - float(np.prod([1.0 - r["weight"] for r in rs]))
    red = tier([r for r in reasons if r["code"] not in CONTEXT])
    ctx = tier([r for r in reasons if r["code"] in CONTEXT])
    return round(0.9 * red + 0.1 * ctx, 4)


def _reason(code: str, text: str, weight: float | None = None, **figures) -> dict:
    return {"code": code, "weight": WEIGHTS[code] if weight is None else weight,
            "text": text, "figures": figures}


class _Facts:
    """Per-shipment and per-company facts the reasons read, computed once for all routes
    (as plain values: a route is a handful of look-ups)."""

    def __init__(self, ctx: GraphModel, company_stats: pd.DataFrame, data_from):
        s = ctx.shipments.set_index("shipment_id", drop=False)
        comp = ctx.companies.set_index("company_id")
        country = comp["country"]
        exp_c, imp_c = s["exporter_id"].map(country), s["importer_id"].map(country)
        origin = s["declared_origin"].where(s["declared_origin"] != "MIXED")
        status = {
            "exporter": status_on_dates(ctx, exp_c, s["shipped_on"]),
            "importer": status_on_dates(ctx, imp_c, s["shipped_on"]),
            "declared origin": status_on_dates(ctx, origin.astype(object), s["shipped_on"]),
        }
        certs = ctx.certificates.set_index("certificate_id")
        problem = pd.Series("", index=s.index, dtype=object)
        if not certs.empty:
            c = s[["certificate_id"]].join(certs, on="certificate_id")
            has = c["issuing_country"].notna()
            problem[(has & (c["issuing_country"] != exp_c)).to_numpy(dtype=bool)] = \
                "issued by another country"
            late = has & c["expires_on"].notna() & (s["shipped_on"] > c["expires_on"])
            problem[late.to_numpy(dtype=bool)] = "used after expiry"
            off = has & c["carats"].notna() & (
                (c["carats"] - s["carats"]).abs() > 0.05 * s["carats"])
            problem[off.to_numpy(dtype=bool) & (problem == "").to_numpy()] = \
                "carats differ from the shipment"
        frame = pd.DataFrame({
            "date": s["shipped_on"], "exporter": s["exporter_id"], "importer": s["importer_id"],
            "carats": s["carats"], "vpc": s["value_usd"] / s["carats"],
            "origin": s["declared_origin"], "certificate": s["certificate_id"],
            "exp_country": exp_c, "imp_country": imp_c, "cert_problem": problem,
            **{f"status:{k}": v for k, v in status.items()}})
        frame = frame.astype(object).where(frame.notna(), None)
        self.ship = frame.to_dict("index")
        stats = company_stats.reindex(comp.index)
        cf = pd.DataFrame({"role": comp["role"], "last_audit": comp["last_audit"],
                           **{c: stats[c] for c in stats.columns}})
        cf = cf.astype(object).where(cf.notna(), None)
        self.comp = cf.to_dict("index")
        self.data_from = data_from
        self.high_risk = high_risk_origins(ctx)
        self.exceeded = {(f.entities["countries"][0], f.period["from"][:4]): f
                         for f in exports_exceed_supply(ctx)}


def _day(ts) -> str:
    return f"{ts:%Y-%m-%d}"


def route_reasons(route: list[str], f: _Facts) -> list[dict]:
    """The reasons one route (shipment ids in order) is risky."""
    rows = [f.ship[sid] for sid in route]
    first = rows[0]
    out = []
    # KP status on the dates
    seen = set()
    for who, col in (("exporter", "exp_country"), ("importer", "imp_country"),
                     ("declared origin", "origin")):
        for sid, r in zip(route, rows):
            st = r[f"status:{who}"]
            if st is None or (r[col], st) in seen:
                continue
            seen.add((r[col], st))
            out.append(_reason("kp_status", f"{sid} on {_day(r['date'])}: {who} {r[col]} "
                               f"was {st}", shipment=sid, country=r[col], status=st, role=who))
    # certificates
    gaps = [sid for sid, r in zip(route, rows) if r["certificate"] is None]
    if gaps:
        out.append(_reason("no_certificate", f"{len(gaps)} of {len(route)} shipments carried "
                           f"no KP certificate ({', '.join(gaps)})", shipments=gaps))
    bad = [(sid, r) for sid, r in zip(route, rows) if r["cert_problem"]]
    if bad:
        out.append(_reason("certificate_mismatch", "; ".join(
            f"{sid}: certificate {r['certificate']} {r['cert_problem']}" for sid, r in bad),
            shipments=[sid for sid, _ in bad], problems=[r["cert_problem"] for _, r in bad]))
    # the declared origin along the way
    origins = [r["origin"] for r in rows]
    named = [o for o in origins if o is not None and o != "MIXED"]
    changes = [(a, b) for a, b in zip(named, named[1:]) if a != b]
    if changes:
        a, b = changes[0]
        out.append(_reason("origin_changed", f"declared origin changed from {a} to {b}",
                           origins=origins))
    mixed_at = next((i for i, o in enumerate(origins) if o == "MIXED"), None)
    if mixed_at and any(o in f.high_risk for o in origins[:mixed_at]):
        risky = sorted({o for o in origins[:mixed_at] if o in f.high_risk})
        out.append(_reason("mixed_after_high_risk", f"declared MIXED at {route[mixed_at]} "
                           f"after high-risk origin {', '.join(risky)}",
                           shipment=route[mixed_at], high_risk=risky))
    # value per carat at each company on the way: the largest jump
    vpc = [r["vpc"] for r in rows]
    jumps = [(abs(np.log(b / a)), i) for i, (a, b) in enumerate(zip(vpc, vpc[1:]), 1)
             if a and b and a > 0 and b > 0 and max(b / a, a / b) >= VALUE_JUMP]
    if jumps:
        _, i = max(jumps)
        a, b = vpc[i - 1], vpc[i]
        who = rows[i]["exporter"]
        out.append(_reason("value_jump", f"value per carat {'rose' if b > a else 'fell'} "
                           f"{b / a:.1f}x at {who} ({a:,.0f} to {b:,.0f} USD/ct)", company=who,
                           vpc_in=round(float(a), 2), vpc_out=round(float(b), 2),
                           ratio=round(float(b / a), 3)))
    # a round trip
    if len(route) >= 3 and rows[-1]["importer"] == first["exporter"]:
        a, b = vpc[0], vpc[-1]
        rising = bool(a and b and b > a)
        out.append(_reason("round_trip", f"returned to {first['exporter']} after "
                           f"{len(route)} shipments, value per carat {a or 0:,.0f} to "
                           f"{b or 0:,.0f} USD/ct", weight=WEIGHTS["round_trip"] if rising
                           else 0.3, company=first["exporter"],
                           vpc_start=None if a is None else round(float(a), 2),
                           vpc_end=None if b is None else round(float(b), 2)))
    # where the rough came from
    src = first["exporter"]
    c = f.comp.get(src)
    if c and c["role"] != "miner" and c["rough_out"] is not None:
        if c["rough_out"] > UNSUPPLIED * c["rough_in"]:
            out.append(_reason("unsupplied_source", f"{src} sent {c['rough_out']:,.0f} ct of "
                               f"rough but received {c['rough_in']:,.0f} ct", company=src,
                               rough_in=round(float(c["rough_in"]), 2),
                               rough_out=round(float(c["rough_out"]), 2)))
    key = (first["exp_country"], f"{first['date']:%Y}")
    if key in f.exceeded:
        ev = f.exceeded[key].evidence
        out.append(_reason("exports_exceed_supply", f"{key[0]} exported "
                           f"{ev['export_carats']:,.0f} ct in {key[1]} against "
                           f"{ev['production_carats']:,.0f} ct produced and "
                           f"{ev['import_carats']:,.0f} ct imported", country=key[0],
                           year=int(key[1]), **ev))
    # the companies on the way
    companies = list(dict.fromkeys([src, *(r["importer"] for r in rows)]))
    start = first["date"]
    for cid in companies[1:]:
        c = f.comp.get(cid)
        if not c or not c["rough_in"]:
            continue
        risky, mixed = c["high_risk_in"] / c["rough_in"], (
            c["mixed_out"] / c["sent_all"] if c["sent_all"] else 0.0)
        if (risky >= HIGH_RISK_SHARE and mixed >= HIGH_RISK_SHARE
                and c["high_risk_shipments"] >= HIGH_RISK_MIN):
            out.append(_reason("high_risk_hub", f"{cid} received {risky:.0%} of its rough "
                               f"from high-risk origins and sent {mixed:.0%} on as MIXED",
                               company=cid, high_risk_share=round(float(risky), 4),
                               mixed_share=round(float(mixed), 4)))
            break
    for cid in companies[1:]:
        began = (f.comp.get(cid) or {}).get("first_trade")
        if (began is not None and began >= f.data_from + pd.Timedelta(days=NEW_DAYS)
                and began >= start - pd.Timedelta(days=NEW_DAYS)):
            out.append(_reason("new_company", f"{cid} first traded on {_day(began)}",
                               company=cid, first_trade=_day(began)))
            break
    stale = start - pd.DateOffset(years=AUDIT_YEARS)
    unaudited = [cid for cid in companies if cid in f.comp
                 and (f.comp[cid]["last_audit"] is None or f.comp[cid]["last_audit"] < stale)]
    for cid in unaudited[:3]:
        out.append(_reason("unaudited", f"{cid} has no audit in the {AUDIT_YEARS} years before "
                           "the route", company=cid))
    return out
