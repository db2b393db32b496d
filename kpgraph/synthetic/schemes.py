"""The planted schemes, one function per typology of the data contract.

Each function adds the shipments (and companies, certificate or ledger changes) of one
scheme to a :class:`~kpgraph.synthetic.generator.Synth` and records it with its typology.
How many of each, how big, and how blatant all vary with the seed.
"""

from __future__ import annotations

import numpy as np

from . import world as W
from .generator import Synth

__all__ = ["plant_all", "PLANTERS"]

ROUGH = "7102.31"


def _in_status(s: Synth, iso3: str, day: int) -> bool:
    for c, _st, a, b, _n in s.status:
        if c == iso3 and a <= day and (b is None or day <= b):
            return True
    since = s.members.get(iso3)
    return since is None or day < int((np.datetime64(since) - np.datetime64("1970-01-01"))
                                      .astype(int))


def _clear(s: Synth, iso3: str, lo: int, hi: int) -> bool:
    """A participant with no KP status period touching the days lo..hi."""
    since = s.members.get(iso3)
    if since is None or _in_status(s, iso3, lo):
        return False
    return not any(c == iso3 and a <= hi and (b is None or b >= lo)
                   for c, _st, a, b, _n in s.status)


def _pick(s: Synth, pool: np.ndarray) -> int:
    return int(pool[s.rng.integers(len(pool))])


def _companies_in(s: Synth, iso3: str, roles=("miner", "trader")) -> list[int]:
    return [i for i, (c, r) in enumerate(zip(s.c_country, s.c_role)) if c == iso3 and r in roles]


def _company_in(s: Synth, iso3: str, role: str = "trader") -> int:
    have = _companies_in(s, iso3, (role,))
    if have and s.rng.random() < 0.5:
        return int(have[s.rng.integers(len(have))])
    return s.add_company(iso3, role)


def _day_in(s: Synth, lo: int, hi: int) -> int:
    lo, hi = max(lo, s.start), min(hi, s.end - 60)
    return int(s.rng.integers(lo, max(lo + 1, hi)))


def _price(s: Synth, iso3: str) -> float:
    return W.BY_ISO3[iso3].price * float(s.rng.lognormal(0, 0.2))


def _bought(s: Synth, buyer: int, origin: str, day: int, carats: float, ppc: float) -> None:
    """The buyer gets the parcel it will send on: from a miner of ``origin``, shipped ten
    days before and arriving three days later, at ``ppc``. A planted company that sends
    rough should have had it; one that sends rough it never received commits a second
    offence (rough from nowhere) that the scheme's record would not name. Draws nothing
    from the generator's random stream, so the rest of the world stays as it was."""
    miners = _companies_in(s, origin, ("miner",))
    d = day - 10
    if not miners or miners[0] == buyer or _in_status(s, origin, d):
        return  # (and no trade with a country under a KP status outside the scheme)
    s.add_shipments([miners[0]], [buyer], [d], [carats], [carats * ppc], [ROUGH], [origin],
                    arrive=[d + 3])


def _status_window(s: Synth) -> tuple[str, int, int]:
    """A country and a period during which it could not trade legitimately."""
    rng = s.rng
    options = []
    for iso3, _st, a, b, _n in s.status:
        lo, hi = max(a, s.start), min(b if b is not None else s.end, s.end - 60)
        if hi - lo > 30:
            options.append((iso3, lo, hi))
    for iso3, since in s.members.items():
        if since is None:
            options.append((iso3, s.start, s.end - 60))
    return options[rng.integers(len(options))]


def _production_per_half(s: Synth, iso3: str) -> float:
    sh = s.ships()
    roles = np.array(s.c_role, dtype=object)
    country = np.array(s.c_country, dtype=object)
    mined = (roles[sh["exporter"]] == "miner") & (country[sh["exporter"]] == iso3)
    halves = max(1.0, (s.end - s.start) / 182.5)
    return float(sh["carats"][mined].sum() / halves)


def origin_laundering(s: Synth) -> None:
    """Rough from a suspended or non-participant country, certified as a neighbour's."""
    rng = s.rng
    x, lo, hi = _status_window(s)
    neighbours = [n for n in W.NEIGHBOURS[x] if _clear(s, n, lo, hi)]
    if not neighbours:
        return
    n = str(neighbours[rng.integers(len(neighbours))])
    trader = _company_in(s, n, "trader")
    hub = _pick(s, s.pools["hub"])
    k = int(rng.integers(3, 8))
    total = max(2000.0, _production_per_half(s, n) * rng.uniform(0.6, 2.0))
    smuggled = rng.random() < 0.5
    source = _company_in(s, x, "miner") if smuggled else None
    ids, comps = [], {trader, hub}
    for _ in range(k):
        day = _day_in(s, lo, hi - 40)
        carats = total / k * rng.uniform(0.7, 1.3)
        ppc = _price(s, x)
        if smuggled:
            ids += list(s.add_shipments([source], [trader], [day], [carats], [carats * ppc],
                                        ["7102.10"], [x], certified=[False]))
            comps.add(source)
        d1 = day + int(rng.integers(5, 20))
        c1 = carats * rng.uniform(0.9, 1.0)
        v1 = c1 * ppc * rng.uniform(1.0, 1.1)
        ids += list(s.add_shipments([trader], [hub], [d1], [c1], [v1], [ROUGH], [n]))
        polisher = _pick(s, s.pools["polisher"])
        d2 = d1 + int(rng.integers(8, 30))
        c2 = c1 * rng.uniform(0.85, 1.0)
        ids += list(s.add_shipments([hub], [polisher], [d2], [c2], [c2 * ppc * 1.05],
                                    [ROUGH], ["MIXED" if rng.random() < 0.5 else n]))
        comps.add(polisher)
    s.scheme("origin_laundering", ids, comps, [x, n],
             also=["sanctioned_trade"] if smuggled else [])


def hub_value_manipulation(s: Synth) -> None:
    """A hub re-exports far above or below what it paid."""
    rng = s.rng
    zoned = [h for h in s.pools["hub"] if s.c_zone[h]]
    hub = _pick(s, np.array(zoned if zoned and rng.random() < 0.7 else s.pools["hub"]))
    uplift = rng.random() < 0.5
    ids, comps, countries = [], {hub}, {s.c_country[hub]}
    for _ in range(int(rng.integers(2, 6))):
        origin = str(rng.choice(["BWA", "RUS", "ZAF", "AGO", "NAM", "CAN"]))
        src = _company_in(s, origin, "miner")
        day = _day_in(s, s.start, s.end - 60)
        carats = float(rng.lognormal(6.5, 0.7))
        ppc = _price(s, origin)
        ids += list(s.add_shipments([src], [hub], [day], [carats], [carats * ppc], [ROUGH],
                                    [origin]))
        factor = rng.uniform(3.0, 8.0) if uplift else rng.uniform(0.08, 0.3)
        dst = _pick(s, s.pools["polisher"])
        d2 = day + int(rng.integers(5, 25))
        c2 = carats * rng.uniform(0.9, 1.0)
        ids += list(s.add_shipments([hub], [dst], [d2], [c2], [c2 * ppc * factor], [ROUGH],
                                    [origin if rng.random() < 0.5 else "MIXED"]))
        comps |= {src, dst}
        countries.add(origin)
    rec = s.scheme("hub_value_manipulation", ids, comps, countries)
    rec["detail"] = {"direction": "uplift" if uplift else "undervaluation"}


def mixed_origin_recertification(s: Synth) -> None:
    """A hub takes in high-risk rough and sends it on certified as MIXED."""
    rng = s.rng
    if rng.random() < 0.8:
        iso3 = str(rng.choice(["ARE", "LBN", "HKG", "CHE"]))
        hub = s.add_company(iso3, "trader", W.HUBS.get(iso3) or "")
    else:
        hub = _pick(s, s.pools["hub"])
    risky = [r for r in W.RISKY if s.members.get(r)]
    ids, comps, countries = [], {hub}, {s.c_country[hub]}
    day0 = _day_in(s, s.start, s.end - 150)
    total = 0.0
    value = 0.0
    for _ in range(int(rng.integers(3, 7))):
        day = day0 + int(rng.integers(0, 90))
        options = [r for r in risky if not _in_status(s, r, day)]
        if not options:
            continue
        origin = str(options[rng.integers(len(options))])
        src = _company_in(s, origin, "trader" if rng.random() < 0.5 else "miner")
        carats = float(rng.lognormal(6.5, 0.6))
        ppc = _price(s, origin)
        if s.c_role[src] == "trader":  # a legitimate source: it bought what it sells
            _bought(s, src, origin, day, carats, ppc * 0.97)
        ids += list(s.add_shipments([src], [hub], [day], [carats], [carats * ppc], [ROUGH],
                                    [origin]))
        comps.add(src)
        countries.add(origin)
        total += carats
        value += carats * ppc
    if not ids:
        return
    outs = int(rng.integers(2, 5))
    for _j in range(outs):
        dst = _pick(s, s.pools["polisher"])
        day = day0 + 95 + int(rng.integers(0, 40))
        share = total / outs * rng.uniform(0.85, 1.0)
        ids += list(s.add_shipments([hub], [dst], [day], [share],
                                    [share * value / total * rng.uniform(1.0, 1.1)],
                                    [ROUGH], ["MIXED"]))
        comps.add(dst)
    s.scheme("mixed_origin_recertification", ids, comps, countries)


def round_tripping(s: Synth) -> None:
    """Goods go round a cycle of companies, in time order, gaining declared value."""
    rng = s.rng
    size = int(rng.integers(3, 5))
    members = [_pick(s, s.pools["hub"])]
    while len(members) < size:
        c = _pick(s, s.pools["hub"] if rng.random() < 0.7 else s.pools["polisher"])
        if all(s.c_country[c] != s.c_country[m] for m in members):
            members.append(c)
    day = _day_in(s, s.start, s.end - 200)
    carats = float(rng.lognormal(6.0, 0.7))
    ppc = _price(s, "BWA")
    _bought(s, members[0], "BWA", day, carats, ppc)
    ids = []
    for _lap in range(int(rng.integers(1, 3))):
        for a, b in zip(members, members[1:] + members[:1]):
            ppc *= rng.uniform(1.15, 1.6)
            carats *= rng.uniform(0.97, 1.0)
            ids += list(s.add_shipments([a], [b], [day], [carats], [carats * ppc], [ROUGH],
                                        ["MIXED"]))
            day += int(rng.integers(6, 25))
    s.scheme("round_tripping", ids, members, {s.c_country[m] for m in members})


def polishing_mass_balance(s: Synth) -> None:
    """A cutting centre puts out more than its rough allows, or hides rough it received."""
    rng = s.rng
    lots = {k: np.concatenate([d[k] for d in s.ledger_lots]) for k in s.ledger_lots[0]}
    active, counts = np.unique(lots["company"], return_counts=True)
    candidates = active[counts >= max(3, np.median(counts))]
    pol = int(candidates[rng.integers(len(candidates))])
    # months inside the data in which rough reached the centre, so that the scheme leaves
    # a trace in the data (a ledger that hid rough before the data began shows nothing)
    mine = (lots["company"] == pol) & (lots["in_day"] >= s.start) & (lots["in_day"] <= s.end)
    month_of = (np.datetime64("1970-01-01") + lots["in_day"][mine].astype("timedelta64[D]")
                ).astype("datetime64[M]")
    months = np.unique(month_of)
    if months.size == 0:
        return
    first = int(rng.integers(0, max(1, len(months) - 3)))
    chosen = months[first:first + int(rng.integers(2, 4))]
    chosen_str = [str(m) for m in chosen]
    if rng.random() < 0.5:
        # phantom output: polished goods with no rough behind them
        per_month = float(lots["out_carats"][mine].sum()) / max(1, len(months))
        ids = []
        for m in chosen:
            day = int((m.astype("datetime64[D]") - np.datetime64("1970-01-01")).astype(int))
            day += int(rng.integers(1, 27))
            carats = max(50.0, per_month * rng.uniform(1.0, 2.5))
            dst = _pick(s, s.pools["market"])
            ppc = _price(s, "BWA") * 4
            ids += list(s.add_shipments([pol], [dst], [day], [carats], [carats * ppc],
                                        ["7102.39"], [s.c_country[pol]], certified=[False]))
            s.ledger_lots.append({"company": np.array([pol]), "in_day": np.array([day]),
                                  "in_ship": np.array([day]),
                                  "in_carats": np.array([0.0]), "out_day": np.array([day]),
                                  "out_carats": np.array([carats]),
                                  "yield": np.array([1.0])})
        rec = s.scheme("polishing_mass_balance", ids, [pol], [s.c_country[pol]])
        rec["detail"] = {"variant": "output_exceeds_rough", "months": chosen_str}
    else:
        # rough received but kept off the ledger
        sh = s.ships()
        m_of = (np.datetime64("1970-01-01") + sh["arrive"].astype("timedelta64[D]")
                ).astype("datetime64[M]").astype(str)
        inbound = np.flatnonzero((sh["importer"] == pol) & sh["certified"]
                                 & np.isin(m_of, chosen_str))
        s.ledger_patches.append(("understate_rough_in", pol, chosen_str,
                                 float(rng.uniform(0.2, 0.5))))
        rec = s.scheme("polishing_mass_balance", inbound, [pol], [s.c_country[pol]])
        rec["detail"] = {"variant": "ledger_understates_rough_in", "months": chosen_str}


def certificate_abuse(s: Synth) -> None:
    """A certificate reused, issued by the wrong country, expired, unconfirmed or altered."""
    rng = s.rng
    variant = str(rng.choice(["reuse", "wrong_issuer", "expired", "unconfirmed", "mismatch"]))
    exporter = _pick(s, s.pools["hub"])
    ids = []
    for _ in range(int(rng.integers(1, 4))):
        origin = str(rng.choice(["BWA", "RUS", "ZAF", "NAM", "CAN"]))
        dst = _pick(s, s.pools["polisher"])
        day = _day_in(s, s.start, s.end - 150)
        carats = float(rng.lognormal(6.2, 0.7))
        ppc = _price(s, origin) * 1.05
        _bought(s, exporter, origin, day, carats, ppc / 1.05)
        i = int(s.add_shipments([exporter], [dst], [day], [carats], [carats * ppc], [ROUGH],
                                ["MIXED"])[0])
        ids.append(i)
        if variant == "reuse":
            d2 = day + int(rng.integers(5, 40))
            c2 = carats * rng.uniform(0.8, 1.2)
            _bought(s, exporter, origin, d2, c2, ppc / 1.05)
            j = int(s.add_shipments([exporter], [_pick(s, s.pools["polisher"])], [d2], [c2],
                                    [c2 * ppc], [ROUGH], ["MIXED"])[0])
            s.cert_patches.append(("reuse", j, i))
            ids.append(j)
        elif variant == "wrong_issuer":
            others = [c.iso3 for c in W.COUNTRIES if c.iso3 != s.c_country[exporter]]
            s.cert_patches.append(("wrong_issuer", i, str(rng.choice(others))))
        elif variant == "expired":
            s.cert_patches.append(("expired", i, int(rng.integers(100, 200)),
                                   int(rng.integers(5, 60))))
        elif variant == "unconfirmed":
            s.cert_patches.append(("unconfirmed", i))
        else:
            f = rng.uniform(0.4, 0.75) if rng.random() < 0.5 else rng.uniform(1.3, 2.0)
            s.cert_patches.append(("mismatch", i, f, f * rng.uniform(0.95, 1.05)))
    rec = s.scheme("certificate_abuse", ids, [exporter], [s.c_country[exporter]])
    rec["detail"] = {"variant": variant}


def sanctioned_trade(s: Synth) -> None:
    """Trade with a country while it was suspended, embargoed or not a participant."""
    rng = s.rng
    x, lo, hi = _status_window(s)
    local = _company_in(s, x, "trader" if rng.random() < 0.6 else "miner")
    other = _pick(s, s.pools["hub"])
    ids = []
    for _ in range(int(rng.integers(1, 4))):
        day = _day_in(s, lo, hi)
        carats = float(rng.lognormal(6.0, 0.8))
        ppc = _price(s, x)
        if rng.random() < 0.75:
            ids += list(s.add_shipments([local], [other], [day], [carats], [carats * ppc],
                                        [ROUGH], [x], certified=[rng.random() < 0.5]))
        else:
            clear = [n for n in W.NEIGHBOURS.get(x, ()) if _clear(s, n, day - 10, day)]
            if clear:  # the hub sends on rough it bought next door, at cost
                _bought(s, other, clear[0], day, carats, ppc)
            ids += list(s.add_shipments([other], [local], [day], [carats], [carats * ppc],
                                        [ROUGH], ["MIXED"]))
    s.scheme("sanctioned_trade", ids, [local, other], [x, s.c_country[other]])


def _address_variant(rng, addr: str) -> str:
    forms = [addr.upper(), addr.replace(",", ""), addr.replace("Street", "St."),
             "  ".join(addr.split(" ")), addr.lower()]
    return forms[rng.integers(len(forms))]


def shell_company(s: Synth) -> None:
    """New companies sharing a registration or address, with a burst of high-value trade."""
    rng = s.rng
    iso3 = str(rng.choice(["ARE", "HKG", "LBN", "SGP"]))
    zone = W.HUBS.get(iso3) or ""
    size = int(rng.integers(2, 5))
    share_reg = rng.random() < 0.5
    reg = f"{iso3[:2]}-{rng.integers(10**6, 10**7)}-{rng.integers(100):02d}"
    addr = f"Office {rng.integers(100, 999)}, {rng.integers(1, 90)} Harbour Street, " \
           f"{W.BY_ISO3[iso3].city}"
    members = []
    for j in range(size):
        r = reg if share_reg else None
        if share_reg and j and rng.random() < 0.5:
            r = reg.replace("-", "")  # the same number, written differently
        a = (addr if j == 0 else _address_variant(rng, addr)) if not share_reg else None
        members.append(s.add_company(iso3, "trader", zone, reg=r, addr=a, audit=-1))
    first = _day_in(s, s.end - 200, s.end - 90)
    ids = []
    for _ in range(int(rng.integers(4, 10))):
        day = first + int(rng.integers(0, 60))
        a = members[rng.integers(size)]
        b = _pick(s, s.pools["polisher"]) if rng.random() < 0.6 else members[
            (members.index(a) + 1) % size]
        if a == b:
            continue
        carats = float(rng.lognormal(6.5, 0.5))
        ppc = _price(s, "BWA") * rng.uniform(3.0, 6.0)
        ids += list(s.add_shipments([a], [b], [day], [carats], [carats * ppc], [ROUGH],
                                    ["MIXED"]))
    rec = s.scheme("shell_company", ids, members, [iso3])
    rec["detail"] = {"shared": "registration_no" if share_reg else "address"}


PLANTERS = {
    "origin_laundering": origin_laundering,
    "hub_value_manipulation": hub_value_manipulation,
    "mixed_origin_recertification": mixed_origin_recertification,
    "round_tripping": round_tripping,
    "polishing_mass_balance": polishing_mass_balance,
    "certificate_abuse": certificate_abuse,
    "sanctioned_trade": sanctioned_trade,
    "shell_company": shell_company,
}


def plant_all(s: Synth) -> None:
    """Plant between two and six schemes of every typology (the count varies by seed)."""
    for planter in PLANTERS.values():
        for _ in range(int(s.rng.integers(2, 7))):
            planter(s)
