"""A synthetic KP trade dataset with planted schemes and their ground truth.

Legitimate trade is generated as *lots*: a parcel mined in a producer country and passed
on leg by leg (miner -> local trader -> hub -> cutting centre -> market), each leg a
shipment that leaves after the previous one arrived, with carats split along the way,
value per carat near the origin's price plus small markups, one KP certificate per rough
leg, and polished goods (HS 7102.39) leaving the cutting centres. Hubs re-certify as MIXED
routinely, business-centre addresses are shared, recent certificates are not yet
confirmed, and polished goods go back to the hub that sold the rough: the innocent
look-alikes that a detector must not flag.

Schemes are then planted (:mod:`kpgraph.synthetic.schemes`), each recorded with its typology
and ids. Shipment, certificate and company ids are assigned after everything is drawn, in
date order or at random, so no id betrays a planted row. Everything derives from one
``numpy.random.Generator`` seeded by ``seed``: the same seed gives the same bytes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..graph import ROUGH_HS_CODES
from . import world as W

__all__ = ["generate", "write_dataset", "Synth", "GENERATOR"]

# Bumped whenever the same seed draws a different dataset, so that a cached dataset made by
# an older generator is recognised (ground_truth.json records it).
GENERATOR = 2

EPOCH = np.datetime64("1970-01-01", "D")


def _day(s: str) -> int:
    return int((np.datetime64(s, "D") - EPOCH).astype(int))


def _iso(days) -> np.ndarray:
    return (EPOCH + np.asarray(days, dtype="int64").astype("timedelta64[D]")).astype(str)


@dataclass
class Synth:
    """Everything drawn so far, as columns; ids are assigned in :meth:`finish`."""

    rng: np.random.Generator
    seed: int
    start: int  # first day of the trade window (days since epoch)
    end: int  # last day
    # companies
    c_country: list[str] = field(default_factory=list)
    c_role: list[str] = field(default_factory=list)
    c_zone: list[str] = field(default_factory=list)
    c_name: list[str] = field(default_factory=list)
    c_reg: list[str] = field(default_factory=list)
    c_addr: list[str] = field(default_factory=list)
    c_audit: list[int] = field(default_factory=list)  # -1 = never
    # shipments, appended in blocks
    blocks: list[dict] = field(default_factory=list)
    n_ship: int = 0
    # ledgers: per lot reaching a cutting centre
    ledger_lots: list[dict] = field(default_factory=list)
    cert_patches: list[tuple] = field(default_factory=list)
    ledger_patches: list[tuple] = field(default_factory=list)
    schemes: list[dict] = field(default_factory=list)
    status: list[tuple] = field(default_factory=list)  # (iso3, status, start, end, note)
    members: dict = field(default_factory=dict)  # iso3 -> member_since or None
    pools: dict = field(default_factory=dict)

    # -- companies ----------------------------------------------------------------------
    def add_company(self, country: str, role: str, zone: str = "", name: str | None = None,
                    reg: str | None = None, addr: str | None = None, audit: int | None = None
                    ) -> int:
        rng = self.rng
        idx = len(self.c_country)
        if name is None:
            name = (f"{W.NAME_FIRST[rng.integers(len(W.NAME_FIRST))]} "
                    f"{W.NAME_SECOND[rng.integers(len(W.NAME_SECOND))]} "
                    f"{W.SUFFIX.get(country, 'Ltd')}")
        if reg is None:
            reg = f"{country[:2]}-{rng.integers(10**6, 10**7)}-{idx % 97:02d}"
        if addr is None:
            addr = self._address(country, zone, idx)
        if audit is None:
            audit = (-1 if rng.random() < 0.25
                     else int(self.end - rng.integers(30, 1500)))
        self.c_country.append(country)
        self.c_role.append(role)
        self.c_zone.append(zone)
        self.c_name.append(name)
        self.c_reg.append(reg)
        self.c_addr.append(addr)
        self.c_audit.append(audit)
        return idx

    def _address(self, country: str, zone: str, idx: int) -> str:
        rng = self.rng
        city = W.BY_ISO3[country].city
        if zone == "DMCC":
            # Many DMCC firms share a tower: a shared building is not a shared address.
            tower = ("Almas Tower", "Jumeirah Bay X2", "Gold Tower", "Mazaya Business Avenue")
            return f"Unit {rng.integers(100, 4000)}-{idx}, {tower[rng.integers(4)]}, JLT, Dubai"
        street = W.STREETS[rng.integers(len(W.STREETS))]
        return f"{rng.integers(1, 400)} {street} Street, office {idx}, {city}"

    # -- shipments ----------------------------------------------------------------------
    def add_shipments(self, exporter, importer, day, carats, value, hs, origin,
                      certified=None, arrive=None) -> np.ndarray:
        """Append shipments (arrays of equal length); returns their internal indexes.

        ``arrive`` is each parcel's arrival day (default: 2 to 7 days after shipping); the
        importer's ledger records rough on arrival."""
        n = len(exporter)
        idx = np.arange(self.n_ship, self.n_ship + n)
        if arrive is None:
            arrive = np.asarray(day, dtype=np.int64) + self.rng.integers(2, 8, size=n)
        self.blocks.append(_block(exporter, importer, day, carats, value, hs, origin,
                                  certified, arrive))
        self.n_ship += n
        return idx

    def scheme(self, typology: str, shipments, companies, countries, also=()) -> dict:
        rec = {"typology": typology, "shipments": [int(i) for i in shipments],
               "companies": sorted({int(c) for c in companies}),
               "countries": sorted(set(countries)), "also": list(also)}
        self.schemes.append(rec)
        return rec

    def ships(self) -> dict:
        # a tiny dataset may have no legitimate lot left to write (none is empty, not absent)
        blocks = self.blocks or [_block([], [], [], [], [], [], [], None, [])]
        return {k: np.concatenate([b[k] for b in blocks]) for k in blocks[0]}


def _block(exporter, importer, day, carats, value, hs, origin, certified, arrive) -> dict:
    """Shipments as the generator holds them: one array per column."""
    hs = np.asarray(hs, dtype=object)
    if certified is None:
        certified = np.isin(hs, ROUGH_HS_CODES)
    return {
        "exporter": np.asarray(exporter, dtype=np.int64),
        "importer": np.asarray(importer, dtype=np.int64),
        "day": np.asarray(day, dtype=np.int64),
        "arrive": np.asarray(arrive, dtype=np.int64),
        "carats": np.round(np.asarray(carats, dtype=float), 2),
        "value": np.round(np.asarray(value, dtype=float), 2),
        "hs": hs,
        "origin": np.asarray(origin, dtype=object),
        "certified": np.asarray(certified, dtype=bool),
    }


def _world(s: Synth, n_companies: int) -> None:
    rng = s.rng
    for c in W.COUNTRIES:
        s.members[c.iso3] = c.member_since
    # KP status periods: some risky producers are suspended or embargoed inside the window.
    span = s.end - s.start
    risky = [r for r in W.RISKY if W.BY_ISO3[r].member_since]
    chosen = rng.choice(risky, size=int(rng.integers(2, 4)), replace=False)
    notes = {"suspended": "KPCS plenary decision", "embargoed": "UN Security Council sanctions",
             "expelled": "removed from the list of participants"}
    for iso3 in sorted(chosen):
        status = str(rng.choice(["suspended", "embargoed", "expelled"], p=[0.6, 0.25, 0.15]))
        a = s.start + int(rng.integers(-200, span // 3))
        b = a + int(rng.integers(span // 3, span))
        end = None if b > s.end + 100 else b
        s.status.append((iso3, status, a, end, notes[status]))
    # Companies: producers' miners and traders, hub traders, cutting centres, markets.
    producers = [c.iso3 for c in W.COUNTRIES if c.producer]
    big = rng.choice(producers, size=8, replace=False)
    pools: dict[str, list[int]] = {"miner": [], "hub": [], "polisher": [], "market": []}
    local: dict[str, list[int]] = {p: [] for p in producers}
    weights = {p: (3.0 if p in big else 1.0) for p in producers}
    tot = sum(weights.values())
    n_miners = max(len(producers) * 2, int(n_companies * 0.08))
    n_local = int(n_companies * 0.15)
    n_hub = max(10, int(n_companies * 0.25))
    n_pol = max(10, int(n_companies * 0.27))
    n_mkt = max(10, n_companies - n_miners - n_local - n_hub - n_pol)
    for p in producers:
        k = max(2, int(round(n_miners * weights[p] / tot)))
        for _ in range(k):
            pools["miner"].append(s.add_company(p, "miner"))
        for _ in range(max(1, int(round(n_local * weights[p] / tot)))):
            local[p].append(s.add_company(p, "trader"))
    hubs = list(W.HUBS)
    hub_w = np.array([5, 5, 3, 1, 2, 0.5, 1], dtype=float)[: len(hubs)]
    for h in rng.choice(hubs, size=n_hub, p=hub_w / hub_w.sum()):
        zone = W.HUBS[h] or ""
        if zone and rng.random() < 0.15:
            zone = ""
        pools["hub"].append(s.add_company(str(h), "trader", zone))
    pol = list(W.POLISHING)
    pol_w = np.array([8, 2, 1, 1, 1, 0.5])
    for p in rng.choice(pol, size=n_pol, p=pol_w / pol_w.sum()):
        zone = W.POLISHING[p] or ""
        zone = zone if zone and rng.random() < 0.3 else ""
        role = "polisher" if rng.random() < 0.85 else "manufacturer"
        pools["polisher"].append(s.add_company(str(p), role, zone))
    for m in rng.choice(list(W.MARKETS), size=n_mkt):
        role = "retailer" if rng.random() < 0.6 else "manufacturer"
        pools["market"].append(s.add_company(str(m), role))
    s.pools = {k: np.array(v) for k, v in pools.items()}
    s.pools["local"] = {p: np.array(v) for p, v in local.items()}


def _activity(rng, n: int) -> np.ndarray:
    w = rng.pareto(1.3, size=n) + 0.2
    return w / w.sum()


def _legit(s: Synth, n_target: int) -> None:
    """Lots of rough from mine to market, each leg a shipment."""
    rng = s.rng
    # templates: the importer role of each leg after the miner
    templates = [
        (("local", "hub", "polisher", "market"), 0.28),
        (("hub", "polisher", "market"), 0.30),
        (("hub", "hub", "polisher", "market"), 0.12),
        (("polisher", "market"), 0.08),
        (("local", "hub", "polisher"), 0.10),
        (("hub", "polisher", "back"), 0.07),  # polished back to the hub that sold the rough
        (("local", "hub"), 0.05),
    ]
    mean_len = sum(len(t) * p for t, p in templates)
    # Draw more lots than needed: those from blocked origins are dropped below, and the
    # rest are cut where their legs reach the target.
    n_lots = max(1, int(np.ceil(n_target / mean_len * 2.5)))
    probs = np.array([p for _, p in templates])
    kind = rng.choice(len(templates), size=n_lots, p=probs / probs.sum())
    miners = s.pools["miner"]
    miner = miners[rng.choice(len(miners), size=n_lots, p=_activity(rng, len(miners)))]
    country = np.array(s.c_country, dtype=object)
    origin = country[miner]
    price = np.array([W.BY_ISO3[o].price for o in origin])
    sigma = rng.uniform(0.15, 0.35)
    ppc0 = price * rng.lognormal(0.0, sigma, size=n_lots)
    window = s.end - s.start
    # Lots run across both edges of the window: the data is a cut of ongoing trade, so
    # some chains start before it, some legs fall after it, and the newest certificates
    # are not yet confirmed.
    day0 = s.start - 90 + rng.integers(0, window + 80, size=n_lots)
    carats0 = rng.lognormal(rng.uniform(6.0, 7.0), 1.1, size=n_lots) + 5
    hub_p = _activity(rng, len(s.pools["hub"]))
    pol_p = _activity(rng, len(s.pools["polisher"]))
    mkt_p = _activity(rng, len(s.pools["market"]))
    p_mixed = rng.uniform(0.35, 0.65)
    # Suspended origins do not trade legitimately during their status periods.
    blocked = np.zeros(n_lots, dtype=bool)
    for iso3, _st, a, b, _n in s.status:
        b = s.end + 1 if b is None else b
        blocked |= (origin == iso3) & (day0 >= a - 10) & (day0 <= b + 10)
    for iso3, since in s.members.items():
        if since is None:
            blocked |= origin == iso3
        else:
            blocked |= (origin == iso3) & (day0 < _day(since))
    keep = ~blocked
    legs = np.array([len(t) for t, _ in templates])[kind]
    # about 7 % of legs fall outside the window and are cut below
    enough = np.cumsum(np.where(keep, legs, 0)) <= n_target * 1.075
    keep &= enough
    kind, miner, origin, ppc0, day0, carats0 = (x[keep] for x in
                                                (kind, miner, origin, ppc0, day0, carats0))
    for t, (roles, _p) in enumerate(templates):
        sel = np.flatnonzero(kind == t)
        n = sel.size
        if n == 0:
            continue
        prev = miner[sel]
        prev_prev = prev.copy()
        day = day0[sel].copy()
        carats = carats0[sel].copy()
        ppc = ppc0[sel].copy()
        org = origin[sel]
        declared = org.copy()
        day_in = day.copy()  # when the current holder received the parcel
        alive = np.ones(n, dtype=bool)  # a lot stops at a leg that trade rules forbid
        ship_in = day.copy()  # when the parcel the current holder has was shipped to it
        for leg, role in enumerate(roles):
            if role == "local":
                imp = np.empty(n, dtype=np.int64)
                for p in np.unique(org):
                    m = org == p
                    pool = s.pools["local"][p]
                    imp[m] = pool[rng.integers(0, len(pool), size=m.sum())]
            elif role == "hub":
                imp = s.pools["hub"][rng.choice(len(hub_p), size=n, p=hub_p)]
                same = imp == prev
                imp[same] = s.pools["hub"][(np.searchsorted(s.pools["hub"], imp[same]) + 1)
                                           % len(hub_p)]
            elif role == "polisher":
                imp = s.pools["polisher"][rng.choice(len(pol_p), size=n, p=pol_p)]
            elif role == "market":
                imp = s.pools["market"][rng.choice(len(mkt_p), size=n, p=mkt_p)]
            else:  # "back"
                imp = prev_prev
            # legitimate trade does not touch a country under a KP status on the day
            alive &= ~(_restricted(s, country[prev], day) | _restricted(s, country[imp], day))
            polished = role in ("market", "back")
            if polished:
                yld = rng.uniform(0.28, 0.45, size=n)
                rough_c = carats
                carats = carats * yld
                ppc = ppc * rng.uniform(1.15, 1.6, size=n) / yld
                hs = np.full(n, "7102.39", dtype=object)
                declared = country[prev]
                s.ledger_lots.append({"company": prev[alive], "in_day": day_in[alive],
                                      "in_ship": ship_in[alive],
                                      "in_carats": rough_c[alive], "out_day": day[alive],
                                      "out_carats": carats[alive], "yield": yld[alive]})
            else:
                if leg > 0:
                    carats = carats * rng.uniform(0.55, 1.0, size=n)
                    ppc = ppc * rng.uniform(1.0, 1.1, size=n)
                hs = rng.choice(np.array(["7102.31", "7102.10", "7102.21"], dtype=object),
                                size=n, p=[0.8, 0.15, 0.05])
                if leg > 0:
                    from_hub = np.isin(prev, s.pools["hub"])
                    mixed = from_hub & (rng.random(n) < p_mixed)
                    declared = np.where(mixed | (declared == "MIXED"), "MIXED", declared)
            inside = (day >= s.start) & (day <= s.end) & alive
            arrive = day + rng.integers(2, 8, size=n)
            s.add_shipments(prev[inside], imp[inside], day[inside], carats[inside],
                            (carats * ppc)[inside], hs[inside], declared[inside],
                            arrive=arrive[inside])
            day_in, ship_in = arrive, day
            day = day_in + rng.integers(3, 35, size=n)
            prev_prev, prev = prev, imp


def _restricted(s: Synth, iso3: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Whether each (country, day) falls in a KP status period or outside participation."""
    out = np.zeros(len(day), dtype=bool)
    for c, _st, a, b, _n in s.status:
        out |= (iso3 == c) & (day >= a) & (day <= (s.end + 1 if b is None else b))
    for c, since in s.members.items():
        if since is None:
            out |= iso3 == c
        else:
            out |= (iso3 == c) & (day < _day(since))
    return out


def generate(shipments: int = 20_000, seed: int = 7) -> Synth:
    """Draw a whole dataset (legitimate trade plus planted schemes) in memory."""
    from .schemes import plant_all

    rng = np.random.default_rng(seed)
    start_year = int(rng.integers(2016, 2021))
    start = _day(f"{start_year}-01-01")
    end = start + int(rng.integers(3 * 365 - 60, 3 * 365 + 1))
    s = Synth(rng=rng, seed=seed, start=start, end=end)
    n_companies = max(150, shipments // 20)
    _world(s, n_companies)
    if shipments < 200:  # too small to hide a scheme in
        _legit(s, shipments)
    else:
        _legit(s, max(shipments - 250, int(shipments * 0.9)))  # schemes add about 250
        plant_all(s)
    return s


# -- tables -------------------------------------------------------------------------------
def _tables(s: Synth) -> tuple[dict[str, pd.DataFrame], dict]:
    rng = s.rng
    sh = s.ships()
    n = sh["day"].size
    # ids: shipments in date order, companies at random
    order = np.lexsort((np.arange(n), sh["day"]))
    ship_id = np.empty(n, dtype=object)
    ship_id[order] = [f"SH{i:07d}" for i in range(1, n + 1)]
    nc = len(s.c_country)
    perm = rng.permutation(nc)
    comp_id = np.array([f"C{i:06d}" for i in perm + 1], dtype=object)
    country = np.array(s.c_country, dtype=object)

    # certificates: one per certified shipment, then the planted abuses
    cert_of = np.full(n, -1, dtype=np.int64)
    certified = np.flatnonzero(sh["certified"])
    cert_of[certified] = np.arange(certified.size)
    k = certified.size
    issued = sh["day"][certified] - rng.integers(0, 12, size=k)
    cert = {
        "ship": certified,
        "issuing": country[sh["exporter"][certified]].copy(),
        "issued": issued,
        "expires": issued + rng.integers(60, 91, size=k),
        "exporter": sh["exporter"][certified],
        "importer": sh["importer"][certified],
        "origin": sh["origin"][certified].copy(),
        "carats": sh["carats"][certified].copy(),
        "value": sh["value"][certified].copy(),
        "confirmed": sh["day"][certified] + rng.integers(4, 45, size=k),
    }
    drop_cert = np.zeros(k, dtype=bool)
    for patch in s.cert_patches:
        kind, i = patch[0], patch[1]
        c = cert_of[i]
        if kind == "reuse":  # shipment i travels on shipment j's certificate
            j = patch[2]
            drop_cert[c] = True
            cert_of[i] = cert_of[j]
        elif kind == "wrong_issuer":
            cert["issuing"][c] = patch[2]
        elif kind == "expired":
            cert["issued"][c] = sh["day"][i] - patch[2]
            cert["expires"][c] = sh["day"][i] - patch[3]
        elif kind == "unconfirmed":
            cert["confirmed"][c] = -1
        elif kind == "mismatch":
            cert["carats"][c] = round(cert["carats"][c] * patch[2], 2)
            cert["value"][c] = round(cert["value"][c] * patch[3], 2)
        elif kind == "issuing":
            cert["issuing"][c] = patch[2]
    # confirmations later than the data's end are not in it yet
    cert["confirmed"] = np.where(cert["confirmed"] > s.end, -1, cert["confirmed"])
    keep = ~drop_cert
    corder = np.lexsort((np.arange(k), cert["issued"]))
    corder = corder[keep[corder]]
    cert_id = np.empty(k, dtype=object)
    cert_id[corder] = [f"KP-{cert['issuing'][c]}-{j:07d}" for j, c in
                       enumerate(corder, 1)]
    certificates = pd.DataFrame({
        "certificate_id": cert_id[corder],
        "issuing_country": cert["issuing"][corder],
        "issued_on": _iso(cert["issued"][corder]),
        "expires_on": _iso(cert["expires"][corder]),
        "exporter_id": comp_id[cert["exporter"][corder]],
        "importer_id": comp_id[cert["importer"][corder]],
        "origin": cert["origin"][corder],
        "carats": cert["carats"][corder],
        "value_usd": cert["value"][corder],
        "confirmed_on": np.where(cert["confirmed"][corder] < 0, "",
                                 _iso(np.maximum(cert["confirmed"][corder], 0))),
    })
    ship_cert = np.where(cert_of >= 0, cert_id[np.maximum(cert_of, 0)], "")
    shipments = pd.DataFrame({
        "shipment_id": ship_id[order],
        "shipped_on": _iso(sh["day"][order]),
        "exporter_id": comp_id[sh["exporter"][order]],
        "importer_id": comp_id[sh["importer"][order]],
        "carats": sh["carats"][order],
        "value_usd": sh["value"][order],
        "hs_code": sh["hs"][order],
        "certificate_id": ship_cert[order],
        "declared_origin": sh["origin"][order],
    })
    audit = np.array(s.c_audit)
    companies = pd.DataFrame({
        "company_id": comp_id,
        "name": s.c_name,
        "country": s.c_country,
        "role": s.c_role,
        "free_zone": s.c_zone,
        "registration_no": s.c_reg,
        "address": s.c_addr,
        "last_audit": np.where(audit < 0, "", _iso(np.maximum(audit, 0))),
    }).iloc[np.argsort(comp_id)]
    countries = pd.DataFrame({
        "iso3": [c.iso3 for c in W.COUNTRIES],
        "name": [c.name for c in W.COUNTRIES],
        "kp_member_since": [s.members[c.iso3] or "" for c in W.COUNTRIES],
        "producer": ["true" if c.producer else "false" for c in W.COUNTRIES],
    }).sort_values("iso3")
    kp_status = pd.DataFrame({
        "iso3": [r[0] for r in s.status],
        "status": [r[1] for r in s.status],
        "start": _iso([r[2] for r in s.status]),
        "end": ["" if r[3] is None else str(_iso([r[3]])[0]) for r in s.status],
        "note": [r[4] for r in s.status],
    })
    tables = {
        "countries": countries,
        "kp_status": kp_status,
        "companies": companies,
        "certificates": certificates,
        "shipments": shipments,
        "production_records": _ledgers(s, comp_id),
        "kp_statistics": _statistics(s, sh, country),
    }
    ids = {"ship": ship_id, "comp": comp_id, "cert_of": cert_of, "cert_id": cert_id}
    return tables, ids


def _month(days: np.ndarray) -> np.ndarray:
    return (EPOCH + days.astype("timedelta64[D]")).astype("datetime64[M]").astype(str)


def _ledgers(s: Synth, comp_id: np.ndarray) -> pd.DataFrame:
    """Monthly ledgers of cutting centres, from the rough they received and worked."""
    if not s.ledger_lots:
        return pd.DataFrame(columns=["company_id", "month", "rough_in_carats",
                                     "polished_out_carats", "rough_out_carats",
                                     "closing_stock_carats"])
    lots = {k: np.concatenate([d[k] for d in s.ledger_lots]) for k in s.ledger_lots[0]}
    # Rough in: every rough parcel a cutting centre received, in the month it arrived
    # (whoever sent it), and the lots' rough that arrived before the data's window.
    sh = s.ships()
    roles = np.array(s.c_role, dtype=object)
    to_cutter = (np.isin(roles[sh["importer"]], ("polisher", "manufacturer"))
                 & np.isin(sh["hs"], ROUGH_HS_CODES))
    # its rough shipment is not in the data: it left before the window, or after it (a
    # ledger's last month runs to the month's end, past the data's last day)
    unseen = (lots["in_ship"] < s.start) | (lots["in_ship"] > s.end)
    inflow = pd.concat([
        pd.DataFrame({"c": sh["importer"][to_cutter], "m": _month(sh["arrive"][to_cutter]),
                      "rough_in": sh["carats"][to_cutter]}),
        pd.DataFrame({"c": lots["company"][unseen], "m": _month(lots["in_day"][unseen]),
                      "rough_in": lots["in_carats"][unseen]}),
    ])
    worked = pd.DataFrame({"c": lots["company"], "m": _month(lots["out_day"]),
                           "processed": lots["in_carats"], "polished": lots["out_carats"]})
    g = (inflow.groupby(["c", "m"]).sum()
         .join(worked.groupby(["c", "m"]).sum(), how="outer").fillna(0.0).reset_index())
    g["rough_out"] = 0.0
    for patch in s.ledger_patches:
        kind, company, months, factor = patch
        m = (g["c"] == company) & g["m"].isin(months)
        if kind == "understate_rough_in":
            g.loc[m, "rough_in"] = g.loc[m, "rough_in"] * factor
        elif kind == "phantom_polished":
            g.loc[m, "polished"] = g.loc[m, "polished"] * factor
    g = g.sort_values(["c", "m"])
    opening = s.rng.uniform(50, 500, size=g["c"].nunique())
    open_by = dict(zip(sorted(g["c"].unique()), opening))
    flow = g["rough_in"] - g["processed"] - g["rough_out"]
    g["closing"] = flow.groupby(g["c"]).cumsum() + g["c"].map(open_by)
    # The ledger covers the data window; stock carries over from the months before it.
    first, last = _month(np.array([s.start])), _month(np.array([s.end]))
    g = g[(g["m"] >= first[0]) & (g["m"] <= last[0])]
    return pd.DataFrame({
        "company_id": comp_id[g["c"].to_numpy()],
        "month": g["m"].to_numpy(),
        "rough_in_carats": g["rough_in"].round(2).to_numpy(),
        "polished_out_carats": g["polished"].round(2).to_numpy(),
        "rough_out_carats": g["rough_out"].round(2).to_numpy(),
        "closing_stock_carats": g["closing"].clip(lower=0).round(2).to_numpy(),
    }).sort_values(["company_id", "month"])


def _statistics(s: Synth, sh: dict, country: np.ndarray) -> pd.DataFrame:
    """Half-yearly KP statistics that agree with the rough shipments."""
    rough = sh["certified"] | np.isin(sh["hs"], ROUGH_HS_CODES)
    day = sh["day"][rough]
    dt = EPOCH + day.astype("timedelta64[D]")
    year = dt.astype("datetime64[Y]").astype(int) + 1970
    half = np.where(dt.astype("datetime64[M]").astype(int) % 12 < 6, 1, 2)
    exp_c = country[sh["exporter"][rough]]
    imp_c = country[sh["importer"][rough]]
    roles = np.array(s.c_role, dtype=object)
    mined = roles[sh["exporter"][rough]] == "miner"
    base = pd.DataFrame({"year": year, "half": half, "carats": sh["carats"][rough],
                         "usd": sh["value"][rough]})
    exports = base.assign(iso3=exp_c).groupby(["iso3", "year", "half"])[["carats", "usd"]].sum()
    imports = base.assign(iso3=imp_c).groupby(["iso3", "year", "half"])[["carats", "usd"]].sum()
    prod = (base[mined].assign(iso3=exp_c[mined])
            .groupby(["iso3", "year", "half"])[["carats", "usd"]].sum())
    # production a little above what the miners exported: sales at home, stock
    prod = prod * s.rng.uniform(1.0, 1.06, size=(len(prod), 1))
    out = (prod.add_prefix("production_")
           .join(exports.add_prefix("export_"), how="outer")
           .join(imports.add_prefix("import_"), how="outer").fillna(0.0).reset_index())
    return pd.DataFrame({
        "iso3": out["iso3"], "year": out["year"], "half": out["half"],
        "production_carats": out["production_carats"].round(2),
        "production_usd": out["production_usd"].round(2),
        "export_carats": out["export_carats"].round(2),
        "export_usd": out["export_usd"].round(2),
        "import_carats": out["import_carats"].round(2),
        "import_usd": out["import_usd"].round(2),
    }).sort_values(["iso3", "year", "half"])


def write_dataset(s: Synth, out: Path | str) -> dict:
    """Write the contract's CSV files and ``ground_truth.json``; return the ground truth.

    Files are first written to a temporary folder beside ``out`` and moved into place at
    the end, so an interrupted run leaves no partial dataset.
    """
    from ..staging import staged_folder

    tables, ids = _tables(s)
    truth = _ground_truth(s, ids)
    with staged_folder(out, ".kpgraph-synth-") as tmp:
        for name, frame in tables.items():
            frame.to_csv(tmp / f"{name}.csv", index=False, lineterminator="\n",
                         float_format="%.2f")
        (tmp / "ground_truth.json").write_text(json.dumps(truth, indent=1) + "\n", "utf-8")
    return truth


def _ground_truth(s: Synth, ids: dict) -> dict:
    schemes = []
    for i, rec in enumerate(s.schemes, 1):
        sh_idx = np.array(rec["shipments"], dtype=np.int64)
        days = np.concatenate([b["day"] for b in s.blocks])[sh_idx] if sh_idx.size else []
        certs = sorted({str(ids["cert_id"][ids["cert_of"][j]]) for j in sh_idx
                        if ids["cert_of"][j] >= 0})
        entry = {
            "id": f"S{i}",
            "typology": rec["typology"],
            "shipments": sorted(str(ids["ship"][j]) for j in sh_idx),
            "certificates": certs,
            "companies": sorted(str(ids["comp"][c]) for c in rec["companies"]),
            "countries": rec["countries"],
            "period": {"from": str(_iso([min(days)])[0]) if len(days) else None,
                       "to": str(_iso([max(days)])[0]) if len(days) else None},
        }
        if rec.get("also"):
            entry["also"] = sorted(rec["also"])
        if rec.get("detail"):
            entry["detail"] = rec["detail"]
        schemes.append(entry)
    return {"seed": s.seed, "generator": GENERATOR, "schemes": schemes}
