"""Round tripping: goods that go round a chain of companies, in time order, and come back
to where they started with a higher declared value: turnover and value manufactured out of
the same stones. Found by the route search's time-respecting cycle search
(:mod:`kpgraph.routes`; in Neo4j over the ``NEXT`` links); Amnesty International asked for
vigilance over the trading hubs where such circles run (Recommendation 5)."""

from __future__ import annotations

from ...graph import GraphModel
from ...queries.twins import twin
from ...routes import ROUND_TRIPS, RouteQuery, drop_suffixes, find_paths, route_id
from ...routes.reasons import ROUND_TRIP_CHANGE, ROUND_TRIP_MARKUP, rose, same_goods
from .. import Finding, entities, rule

__all__ = ["round_trip_rows", "round_trip"]


@twin("flag_round_trip")
def round_trip_rows(g: GraphModel, since=None, until=None,
                    min_markup: float = ROUND_TRIP_MARKUP,
                    max_change: float = ROUND_TRIP_CHANGE, max_hops: int = 6,
                    window_days: int = 120, tolerance: float = 10.0) -> list[dict]:
    q = RouteQuery(origin=ROUND_TRIPS, via="any", max_hops=max_hops, window_days=window_days,
                   tolerance=tolerance, since=since, until=until)
    paths = drop_suffixes(find_paths(g, q))
    ids = {sid for p in paths for sid in p}
    s = g.shipments[g.shipments["shipment_id"].isin(ids)].set_index("shipment_id")
    vpc = (s["value_usd"] / s["carats"]).to_dict()
    carats = s["carats"].to_dict()
    country = g.companies.set_index("company_id")["country"]
    rows = []
    for p in paths:
        v0, v1 = vpc[p[0]], vpc[p[-1]]
        if not (v0 > 0 and rose(v0, v1, len(p), min_markup)):  # a missing value is no rise
            continue
        if not same_goods([carats[x] for x in p], change=max_change):
            continue
        companies = [s.at[p[0], "exporter_id"], *(s.at[x, "importer_id"] for x in p)]
        rows.append({"shipments": list(p), "companies": companies,
                     "countries": sorted({country[c] for c in companies}),
                     "dates": [s.at[x, "shipped_on"].date() for x in p],
                     "vpc_start": float(v0), "vpc_end": float(v1)})
    return rows


@rule("round_trip", "round_tripping", "Recommendation 5 (vigilance over trading hubs)",
      query="flag_round_trip", min_markup=ROUND_TRIP_MARKUP, max_change=ROUND_TRIP_CHANGE)
def round_trip(rows: list[dict], min_markup: float = ROUND_TRIP_MARKUP,
               max_change: float = ROUND_TRIP_CHANGE) -> list[Finding]:
    """A chain of three or more rough shipments (each leaving within 120 days of the last,
    carats within ten times, see ``kpgraph routes``) that returns to its first exporter with
    the value per carat risen by more than ``min_markup`` (default 0.1) for each resale on
    the way: more than 1.1 ** (k - 1) times what it left at, for k shipments (a trader's
    margin on rough is a few per cent). The chain must carry the same goods round: each
    shipment's carats within ``max_change`` (default 0.1) of the one before's (a parcel
    keeps its weight, give or take reweighing, samples or a stone sold); a chain whose
    weight jumps or drops more joins different parcels that passed the same companies. One
    finding per set of companies that goods went round, with every such chain."""
    cycles: dict[frozenset, list[dict]] = {}
    for r in rows:
        cycles.setdefault(frozenset(r["companies"]), []).append(
            {**r, "id": route_id(r["shipments"]), "rise": r["vpc_end"] / r["vpc_start"]})
    out = []
    for members, found in sorted(cycles.items(), key=lambda kv: sorted(kv[0])):
        best = max(found, key=lambda r: (r["rise"], r["id"]))
        dates = sorted(str(d) for r in found for d in r["dates"])
        out.append(Finding(
            rule="round_trip", typology="round_tripping",
            severity=round(min(1.0, 0.6 + 0.1 * min(best["rise"], 4.0)), 2),
            summary=(f"{' > '.join(best['companies'])}: goods came back to "
                     f"{best['companies'][0]} after {len(best['shipments'])} shipments "
                     f"({best['dates'][0]} to {best['dates'][-1]}) with the value per carat "
                     f"{best['rise']:.1f} times higher ({best['vpc_start']:,.0f} to "
                     f"{best['vpc_end']:,.0f} USD/ct); {len(found)} such chain(s) among "
                     f"these {len(members)} companies."),
            entities=entities(countries=[c for r in found for c in r["countries"]],
                              companies=members,
                              shipments=[x for r in found for x in r["shipments"]]),
            period={"from": dates[0], "to": dates[-1]},
            evidence={"routes": sorted(r["id"] for r in found), "best_route": best["id"],
                      "vpc_start": round(best["vpc_start"], 2),
                      "vpc_end": round(best["vpc_end"], 2), "rise": round(best["rise"], 4)}))
    return out
