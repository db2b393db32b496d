"""Round tripping: goods that go round a chain of companies, in time order, and come back
to where they started with a higher declared value: turnover and value manufactured out of
the same stones. Found by the route search's time-respecting cycle search
(:mod:`kpgraph.routes`); Amnesty International asked for vigilance over the trading hubs
where such circles run (Recommendation 5)."""

from __future__ import annotations

from ...graph import GraphModel
from ...routes import ROUND_TRIPS, RouteQuery, drop_suffixes, find_paths, find_routes_of
from .. import Finding, rule


@rule("round_trip", "round_tripping", "Recommendation 5 (vigilance over trading hubs)",
      min_rise=1.0)
def round_trip(g: GraphModel, min_rise: float = 1.0) -> list[Finding]:
    """A chain of three or more rough shipments (each leaving within 120 days of the last,
    carats within ten times, see ``kpgraph routes``) that returns to its first exporter with
    the value per carat more than ``min_rise`` (default 1.0: any rise) times what it left
    at. One finding per set of companies that goods went round, with every such chain."""
    country = g.companies.set_index("company_id")["country"]
    paths = drop_suffixes(find_paths(g, RouteQuery(origin=ROUND_TRIPS, via="any")))
    ends = {p[0] for p in paths} | {p[-1] for p in paths}
    s = g.shipments[g.shipments["shipment_id"].isin(ends)].set_index("shipment_id")
    vpc = (s["value_usd"] / s["carats"]).to_dict()
    rising = [p for p in paths if vpc.get(p[0]) and vpc[p[-1]] > vpc[p[0]] * min_rise]
    cycles: dict[frozenset, list] = {}
    for r in find_routes_of(g, rising):
        v0, v1 = vpc[r.shipments[0]], vpc[r.shipments[-1]]
        cycles.setdefault(frozenset(r.companies), []).append((r, v0, v1))
    out = []
    for members, found in sorted(cycles.items(), key=lambda kv: sorted(kv[0])):
        best, v0, v1 = max(found, key=lambda x: (x[2] / x[1], x[0].id))
        rise = v1 / v0
        ships = sorted({s for r, _, _ in found for s in r.shipments})
        dates = sorted(d for r, _, _ in found for d in r.dates)
        out.append(Finding(
            rule="round_trip", typology="round_tripping",
            severity=round(min(1.0, 0.6 + 0.1 * min(rise, 4.0)), 2),
            summary=(f"{' > '.join(best.companies)}: goods came back to {best.companies[0]} "
                     f"after {len(best.shipments)} shipments ({best.dates[0]} to "
                     f"{best.dates[-1]}) with the value per carat {rise:.1f} times higher "
                     f"({v0:,.0f} to {v1:,.0f} USD/ct); {len(found)} such chain(s) among "
                     f"these {len(members)} companies."),
            entities={"countries": sorted({str(country[c]) for c in members}),
                      "companies": sorted(members), "shipments": ships, "certificates": []},
            period={"from": dates[0], "to": dates[-1]},
            evidence={"routes": sorted(r.id for r, _, _ in found), "best_route": best.id,
                      "vpc_start": round(v0, 2), "vpc_end": round(v1, 2),
                      "rise": round(rise, 4)}))
    return out
