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
                                    company it started from with the value per carat risen by
                                    more than 10 % a resale, carrying the same goods (each
                                    shipment's carats within 10 % of the one before's)
                                    (0.3 otherwise)
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
                                    years before the route (at most three counted, as
                                    1 - 0.95^n)
==========================  ======  ==========================================================

Each code appears at most once per route, with all its instances in its text and figures.
The weights are round numbers chosen for what each reason means, not fitted;
bench/score_routes.py measures what they give on seeds they were not set on.

Ranking scores every route with :func:`score_rows` (vectorised over all routes at once);
the reasons, with their texts and figures, are built by :func:`route_reasons` for the routes
that are returned. A test holds the two equal on every route of the demo data.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd

from ..flows import high_risk_origins
from ..graph import GraphModel
from ..rules.library.statistics import exports_exceed_supply
from ..selection import status_on_dates
from .search import padded_rows

__all__ = ["WEIGHTS", "FLAG_AT", "ROUND_TRIP_MARKUP", "route_reasons", "combine",
           "score_rows", "path_rows", "unsupplied", "rose", "same_goods",
           "POLISHING_ROLES"]

WEIGHTS = {
    "kp_status": 0.9, "round_trip": 0.8, "origin_changed": 0.7, "no_certificate": 0.6,
    "unsupplied_source": 0.6, "high_risk_hub": 0.6, "exports_exceed_supply": 0.4,
    "certificate_mismatch": 0.4,
    "value_jump": 0.5, "mixed_after_high_risk": 0.3, "new_company": 0.2, "unaudited": 0.05,
}
POLISHING_ROLES = ("polisher", "manufacturer")
CONTEXT = frozenset({"value_jump", "mixed_after_high_risk", "new_company", "unaudited"})
HIGH_RISK_SHARE = 0.95
HIGH_RISK_MIN = 3  # shipments: fewer say nothing about a company's business
FLAG_AT = 0.5
VALUE_JUMP = 2.0
UNSUPPLIED = 1.5
NEW_DAYS = 90
AUDIT_YEARS = 3
# A trader's margin on rough is a few per cent: goods that come back more than 10 % dearer
# for each resale on the way gained value no trade explains.
ROUND_TRIP_MARKUP = 0.1
# Goods that went round are the same goods: from one shipment to the next a parcel keeps
# its weight, give or take reweighing, a few samples or a stone sold. Chains whose weight
# jumps or drops more join different parcels that happened to pass the same companies.
ROUND_TRIP_CHANGE = 0.1


def rose(vpc_start, vpc_end, shipments: int, markup: float = ROUND_TRIP_MARKUP):
    """Whether a round trip of ``shipments`` shipments came back with the value per carat
    risen by more than ``markup`` for each of its ``shipments - 1`` resales (works on
    arrays; a missing or zero value is no rise).

    >>> rose(100.0, 125.0, 3), rose(100.0, 118.0, 3)
    (True, False)
    """
    with np.errstate(invalid="ignore"):
        return (vpc_start > 0) & (vpc_end > vpc_start * (1.0 + markup) ** (shipments - 1))


def same_goods(carats, length=None, change: float = ROUND_TRIP_CHANGE):
    """Whether the shipments of a chain (a row of ``carats`` in order; rows of a matrix,
    each ``length`` long, for many chains) could carry the same goods all the way: each
    within ``change`` of the one before (``abs(b - a) <= change * a``).

    >>> same_goods([40.0, 40.0, 37.0]), same_goods([60.0, 300.0, 40.0])
    (True, False)
    >>> same_goods([[100.0, 95.0, 80.0], [100.0, 95.0, np.nan]], length=[3, 2]).tolist()
    [False, True]
    """
    c = np.asarray(carats, dtype=float)
    one = c.ndim == 1
    c = np.atleast_2d(c)
    n = np.full(len(c), c.shape[1]) if length is None else np.asarray(length)
    inside = np.arange(c.shape[1] - 1)[None, :] < (n - 1)[:, None]
    a, b = c[:, :-1], c[:, 1:]
    with np.errstate(invalid="ignore"):
        ok = ~(inside & ~(np.abs(b - a) <= change * a)).any(axis=1)
    return bool(ok[0]) if one else ok


def combine(reasons: list[dict]) -> float:
    """``0.9 * red + 0.1 * context``, each tier the noisy-OR of its weights, to 4 places.

    >>> combine([{"code": "no_certificate", "weight": 0.6},
    ...          {"code": "unsupplied_source", "weight": 0.6}])
    0.756
    >>> combine([{"code": "value_jump", "weight": 0.5}])
    0.05
    """
    def tier(rs):
        return 1.0 - math.prod(1.0 - r["weight"] for r in rs)
    red = tier([r for r in reasons if r["code"] not in CONTEXT])
    ctx = tier([r for r in reasons if r["code"] in CONTEXT])
    return round(0.9 * red + 0.1 * ctx, 4)


def _reason(code: str, text: str, weight: float | None = None, **figures) -> dict:
    return {"code": code, "weight": WEIGHTS[code] if weight is None else weight,
            "text": text, "figures": figures}


def unsupplied(flows: pd.DataFrame, role: pd.Series) -> pd.Series:
    """For each company of ``role``'s index: not a miner, and sent more than
    :data:`UNSUPPLIED` times the rough it received (the ``unsupplied_source`` red flag)."""
    f = flows.reindex(role.index)
    return ((role != "miner") & f["rough_out"].notna()
            & (f["rough_out"].fillna(0.0) > UNSUPPLIED * f["rough_in"].fillna(0.0)))


class _Facts:
    """Per-shipment and per-company facts the reasons read, computed once for all routes:
    as plain values for :func:`route_reasons` and as arrays for :func:`score_rows` (one
    fact row per shipment of ``ctx``, in its order). Every fact is the shipment's or the
    company's own, so facts built over a whole model and over the rows of some routes
    agree."""

    def __init__(self, ctx: GraphModel, company_stats: pd.DataFrame, data_from):
        s = ctx.shipments.set_index("shipment_id", drop=False)
        comp = ctx.companies.set_index("company_id")
        # company codes, and countries through them (mapping a million ids by label is
        # slow on Arrow strings)
        exp_code = comp.index.get_indexer(s["exporter_id"])
        imp_code = comp.index.get_indexer(s["importer_id"])
        country = comp["country"].to_numpy(dtype=object)
        exp_c = pd.Series(country[exp_code], index=s.index, dtype=object)
        imp_c = pd.Series(country[imp_code], index=s.index, dtype=object)
        origin = s["declared_origin"].where(s["declared_origin"] != "MIXED")
        status = {
            "exporter": status_on_dates(ctx, exp_c, s["shipped_on"]),
            "importer": status_on_dates(ctx, imp_c, s["shipped_on"]),
            "declared origin": status_on_dates(ctx, origin.astype(object), s["shipped_on"]),
        }
        certs = ctx.certificates.set_index("certificate_id")
        problem = np.full(len(s), "", dtype=object)
        if not certs.empty:
            at = certs.index.get_indexer(s["certificate_id"])
            pick = np.where(at >= 0, at, 0)
            issuer = certs["issuing_country"].astype(object).to_numpy()[pick]
            has = (at >= 0) & ~pd.isna(issuer)
            expires = certs["expires_on"].to_numpy(dtype="datetime64[s]")[pick]
            shipped = s["shipped_on"].to_numpy(dtype="datetime64[s]")
            carats = s["carats"].to_numpy(dtype=float, na_value=np.nan)
            with np.errstate(invalid="ignore"):
                on_cert = certs["carats"].to_numpy(dtype=float, na_value=np.nan)[pick]
                off = has & (np.abs(on_cert - carats) > 0.05 * carats)
            problem[off] = "carats differ from the shipment"
            problem[has & (issuer != exp_c.to_numpy())] = "issued by another country"
            problem[has & (shipped > expires)] = "used after expiry"
        problem = pd.Series(problem, index=s.index, dtype=object)
        self.high_risk = high_risk_origins(ctx)
        self.exceeded = {(f.entities["countries"][0], f.period["from"][:4]): f
                         for f in exports_exceed_supply(ctx)}
        vpc = (s["value_usd"] / s["carats"]).astype(float)
        frame = pd.DataFrame({
            "date": s["shipped_on"], "exporter": s["exporter_id"], "importer": s["importer_id"],
            "carats": s["carats"], "value": s["value_usd"], "vpc": vpc,
            "origin": s["declared_origin"], "certificate": s["certificate_id"],
            "exp_country": exp_c, "imp_country": imp_c, "cert_problem": problem,
            **{f"status:{k}": v for k, v in status.items()}})
        self.ship = _Rows(frame)
        stats = company_stats.reindex(comp.index)
        # an audit covers the AUDIT_YEARS that follow it
        covered = comp["last_audit"] + pd.DateOffset(years=AUDIT_YEARS)
        rough_in = stats["rough_in"].fillna(0.0)
        sent_all = stats["sent_all"].fillna(0.0)
        conduit = unsupplied(stats, comp["role"])
        hub = ((rough_in > 0)
               & (stats["high_risk_in"].fillna(0.0) >= HIGH_RISK_SHARE * rough_in)
               & (sent_all > 0)
               & (stats["mixed_out"].fillna(0.0) >= HIGH_RISK_SHARE * sent_all)
               & (stats["high_risk_shipments"].fillna(0.0) >= HIGH_RISK_MIN))
        cf = pd.DataFrame({"role": comp["role"], "audit_covers_until": covered,
                           "unsupplied": conduit, "high_risk_hub": hub,
                           **{c: stats[c] for c in stats.columns}})
        self.comp = _Rows(cf)
        self.data_from = data_from

        # arrays for score_rows: one row per shipment, one per company
        self.row = self.ship.pos
        self.ids = s["shipment_id"].to_numpy(dtype=object)
        # where routes may pass: transit hubs (a free-zone company, or a trader that
        # received rough from abroad and sent rough abroad) and polishing centres
        transit = company_stats["transit"].reindex(comp.index, fill_value=False)
        self.c_hub_zone = (comp["free_zone"].notna() | transit.astype(bool)).to_numpy(bool)
        self.c_polisher = comp["role"].isin(POLISHING_ROLES).to_numpy(dtype=bool)
        self.a_carats = s["carats"].to_numpy(dtype=float)
        self.exp = exp_code.astype(np.int64)
        self.imp = imp_code.astype(np.int64)
        self.day = _days(s["shipped_on"])
        any_status = np.zeros(len(s), dtype=bool)
        for v in status.values():
            any_status |= v.notna().to_numpy(dtype=bool)
        self.a_status = any_status
        self.a_nocert = s["certificate_id"].isna().to_numpy(dtype=bool)
        self.a_certbad = (problem != "").to_numpy(dtype=bool)
        origins = pd.Index(sorted(set(s["declared_origin"].dropna().unique()) - {"MIXED"}))
        self.a_origin = origins.get_indexer(s["declared_origin"])  # -1: MIXED or unknown
        self.a_mixed = (s["declared_origin"] == "MIXED").to_numpy(dtype=bool)
        self.a_risky = s["declared_origin"].isin(self.high_risk).to_numpy(dtype=bool)
        self.a_vpc = vpc.to_numpy(dtype=float)
        years = s["shipped_on"].dt.year.to_numpy()
        codes, names = pd.factorize(exp_c)
        self.a_exceeded = np.zeros(len(s), dtype=bool)
        for c, y in self.exceeded:
            if c in names:
                self.a_exceeded |= (codes == names.get_loc(c)) & (years == int(y))
        self.c_unsupplied = conduit.to_numpy(dtype=bool)
        self.c_hub = hub.to_numpy(dtype=bool)
        first = stats["first_trade"]
        self.c_first = np.where(first.notna(), _days(first.fillna(pd.Timestamp(0))), -(10**9))
        self.c_new_after = _days(pd.Series([data_from]))[0] + NEW_DAYS
        self.c_audit = np.where(covered.notna(), _days(covered.fillna(pd.Timestamp(0))),
                                -(10**9))


class _Rows:
    """Rows of a frame by index label, as dicts with None for missing values, built when
    asked for: ranking reads arrays, and only the routes returned need their rows."""

    def __init__(self, frame: pd.DataFrame):
        self.pos = {k: i for i, k in enumerate(frame.index.tolist())}
        # columns in their own dtypes, values made Python objects (Timestamp, float, str)
        # one at a time: converting whole date columns costs more than ranking reads
        self.cols = {c: frame[c].to_numpy() for c in frame.columns}
        self.dates = {c for c in frame.columns
                      if pd.api.types.is_datetime64_any_dtype(frame[c])}
        self.na = {c: frame[c].isna().to_numpy() for c in frame.columns}
        self._made: dict = {}  # routes share shipments and companies: each row made once

    def __getitem__(self, key) -> dict:
        row = self._made.get(key)
        if row is None:
            i = self.pos[key]
            row = self._made[key] = {c: None if self.na[c][i] else self._value(c, v[i])
                                     for c, v in self.cols.items()}
        return row

    def _value(self, column: str, v):
        if column in self.dates:
            return pd.Timestamp(v)
        return v.item() if isinstance(v, np.generic) else v

    def __contains__(self, key) -> bool:
        return key in self.pos

    def get(self, key, default=None):
        return self[key] if key in self.pos else default


def _days(dates: pd.Series) -> np.ndarray:
    return (dates.to_numpy(dtype="datetime64[D]").astype(np.int64))


def _day(ts) -> str:
    return f"{ts:%Y-%m-%d}"


def route_reasons(route: list[str], f: _Facts) -> list[dict]:
    """The reasons one route (shipment ids in order) is risky, each code once."""
    rows = [f.ship[sid] for sid in route]
    first = rows[0]
    out = []
    # KP status on the dates
    events = []
    for who, col in (("exporter", "exp_country"), ("importer", "imp_country"),
                     ("declared origin", "origin")):
        for sid, r in zip(route, rows):
            st = r[f"status:{who}"]
            if st is not None:
                events.append((sid, _day(r["date"]), who, r[col], st))
    if events:
        out.append(_reason("kp_status", "; ".join(
            f"{sid} on {d}: {who} {c} was {st}" for sid, d, who, c, st in events),
            events=[{"shipment": sid, "date": d, "role": who, "country": c, "status": st}
                    for sid, d, who, c, st in events]))
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
        out.append(_reason("origin_changed", "declared origin changed " + ", then ".join(
            f"from {a} to {b}" for a, b in changes), origins=origins))
    mixed_at = next((i for i, o in enumerate(origins) if o == "MIXED"), None)
    if mixed_at and any(o in f.high_risk for o in origins[:mixed_at]):
        risky = sorted({o for o in origins[:mixed_at] if o in f.high_risk})
        out.append(_reason("mixed_after_high_risk", f"declared MIXED at {route[mixed_at]} "
                           f"after high-risk origin {', '.join(risky)}",
                           shipment=route[mixed_at], high_risk=risky))
    # value per carat at each company on the way: the largest jump
    vpc = [r["vpc"] for r in rows]
    jumps = [(abs(math.log(b / a)), i) for i, (a, b) in enumerate(zip(vpc, vpc[1:]), 1)
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
        rising = bool(a and b and rose(a, b, len(route))
                      and same_goods([r["carats"] for r in rows]))
        out.append(_reason("round_trip", f"returned to {first['exporter']} after "
                           f"{len(route)} shipments, value per carat {a or 0:,.0f} to "
                           f"{b or 0:,.0f} USD/ct", weight=WEIGHTS["round_trip"] if rising
                           else 0.3, company=first["exporter"],
                           vpc_start=None if a is None else round(float(a), 2),
                           vpc_end=None if b is None else round(float(b), 2)))
    # where the rough came from
    src = first["exporter"]
    c = f.comp.get(src)
    if c and c["unsupplied"]:
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
        if c and c["high_risk_hub"]:
            risky = c["high_risk_in"] / c["rough_in"]
            mixed = c["mixed_out"] / c["sent_all"]
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
    unaudited = [cid for cid in companies if cid in f.comp
                 and (f.comp[cid]["audit_covers_until"] is None
                      or f.comp[cid]["audit_covers_until"] < start)][:3]
    if unaudited:
        out.append(_reason("unaudited", f"{', '.join(unaudited)}: no audit in the "
                           f"{AUDIT_YEARS} years before the route",
                           weight=round(1 - (1 - WEIGHTS["unaudited"]) ** len(unaudited), 6),
                           companies=unaudited))
    return out


def path_rows(paths: list[tuple[str, ...]], f: _Facts) -> np.ndarray:
    """Routes given as shipment ids as rows of fact rows, padded with -1."""
    length = np.fromiter(map(len, paths), dtype=np.int64, count=len(paths))
    found = np.fromiter(map(f.row.__getitem__, itertools.chain.from_iterable(paths)),
                        dtype=np.int64, count=int(length.sum()))
    return padded_rows(found, length)


def score_rows(rows: np.ndarray, f: _Facts) -> np.ndarray:
    """The score of every route at once (the same as ``combine(route_reasons(...))``), the
    routes given as rows of fact rows (:func:`path_rows`), padded with -1."""
    n, width = rows.shape
    if not n:
        return np.zeros(0)
    ok = rows >= 0
    r = np.where(ok, rows, 0)
    length = ok.sum(axis=1)
    last = r[np.arange(n), length - 1]

    def any_(a):
        return (a[r] & ok).any(axis=1)

    red = {"kp_status": any_(f.a_status), "no_certificate": any_(f.a_nocert),
           "certificate_mismatch": any_(f.a_certbad)}
    org = np.where(ok, f.a_origin[r], -1)
    hi = np.where(org >= 0, org, -1).max(axis=1)
    lo = np.where(org >= 0, org, np.iinfo(np.int64).max).min(axis=1)
    red["origin_changed"] = (hi >= 0) & (lo != hi)
    mixed = f.a_mixed[r] & ok
    has_mixed = mixed.any(axis=1)
    first_mixed = np.where(has_mixed, mixed.argmax(axis=1), width)
    before = np.arange(width)[None, :] < first_mixed[:, None]
    ctx = {"mixed_after_high_risk": has_mixed & (first_mixed > 0)
           & (f.a_risky[r] & ok & before).any(axis=1)}
    vpc = np.where(ok, f.a_vpc[r], np.nan)
    a, b = vpc[:, :-1], vpc[:, 1:]
    with np.errstate(invalid="ignore", divide="ignore"):
        valid = (a > 0) & (b > 0)
        ctx["value_jump"] = (valid & ((b / a >= VALUE_JUMP) | (a / b >= VALUE_JUMP))
                             ).any(axis=1)
    start_c = f.exp[r[:, 0]]
    cycle = (length >= 3) & (f.imp[last] == start_c)
    v0, v1 = vpc[:, 0], vpc[np.arange(n), length - 1]
    rising = rose(v0, v1, length) & same_goods(np.where(ok, f.a_carats[r], np.nan), length)
    trip = np.where(cycle, np.where(rising, WEIGHTS["round_trip"], 0.3), 0.0)
    red["unsupplied_source"] = f.c_unsupplied[start_c]
    red["exports_exceed_supply"] = f.a_exceeded[r[:, 0]]
    imps = np.where(ok, f.imp[r], -1)
    safe = np.where(imps >= 0, imps, 0)
    # the companies after the first: each importer but a round trip's closing one
    after = imps >= 0
    after[np.arange(n), length - 1] &= ~cycle
    red["high_risk_hub"] = (f.c_hub[safe] & after).any(axis=1)
    start_day = f.day[r[:, 0]]
    began = f.c_first[safe]
    ctx["new_company"] = (after & (began >= f.c_new_after)
                          & (began >= (start_day - NEW_DAYS)[:, None])).any(axis=1)
    # companies: the first exporter, then each importer but a cycle's closing one
    comps = np.concatenate([start_c[:, None], imps], axis=1)
    counted = np.concatenate([np.ones((n, 1), dtype=bool), after], axis=1)
    cs = np.where(counted, comps, 0)
    stale = counted & (f.c_audit[cs] < start_day[:, None])
    n_unaudited = np.minimum(stale.sum(axis=1), 3)  # the first three, as route_reasons

    def noisy_or(parts):
        keep = np.ones(n)
        for w, on in parts:
            keep *= 1.0 - np.where(on, w, 0.0)
        return 1.0 - keep

    red_p = noisy_or([(WEIGHTS[k], v) for k, v in red.items()] + [(trip, trip > 0)])
    unaudited = 1 - (1 - WEIGHTS["unaudited"]) ** n_unaudited
    ctx_p = noisy_or([(WEIGHTS[k], v) for k, v in ctx.items()]
                     + [(np.round(unaudited, 6), n_unaudited > 0)])
    return np.round(0.9 * red_p + 0.1 * ctx_p, 4)
