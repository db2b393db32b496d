// name: flag_round_trip
// description: "Red flag round_trip: chains of shipments that come back to where they began with the value per carat risen."
// explanation: >
//   The chains of round_trips (three to max_hops rough shipments over NEXT links, through
//   companies not yet visited, back to the first exporter), without those that are the
//   tail of a longer one, whose last shipment's value per carat is more than the first's
//   times (1 + min_markup) for each resale (each shipment after the first), and that
//   carry the same goods round (each shipment's carats within max_change of the one
//   before's). One row per chain: the shipments, the companies in order (first exporter,
//   then each importer), their countries, the days, and the first and last value per
//   carat. The rows of `kpgraph
//   flags --rule round_trip` (docs/rules.md).
// params:
//   since: {type: date, default: null, example: "2021-01-01", description: first shipping day}
//   until: {type: date, default: null, example: "2021-12-31", description: last shipping day}
//   min_markup: {type: float, min: 0, max: 100, default: 0.1, example: 0.1, description: smallest rise of the value per carat per resale}
//   max_change: {type: float, min: 0, max: 10, default: 0.1, example: 0.1, description: largest change of the carats from one shipment to the next, as a share}
//   max_hops: {type: int, min: 3, max: 10, default: 6, description: at most this many shipments (3-10)}
//   window_days: {type: int, min: 0, max: 180, default: 120, description: days allowed between shipments}
//   tolerance: {type: float, min: 1, max: 10, default: 10.0, description: largest carat ratio between shipments}
// returns: [shipments, companies, countries, dates, vpc_start, vpc_end]
// order: [shipments]
MATCH (a:Company)-[:EXPORTED]->(s:Shipment)-[:IMPORTED_BY]->(b:Company)
WHERE NOT a.role IN ['miner', 'retailer'] AND NOT b.role IN ['miner', 'retailer']
  AND a <> b
  AND NOT coalesce(s.hs_code, '') IN ['7102.29', '7102.39']
  AND ($since IS NULL OR s.shipped_on >= $since)
  AND ($until IS NULL OR s.shipped_on <= $until)
MATCH p = (s) (()-[r:NEXT WHERE r.days <= $window_days AND r.ratio <= $tolerance]->
               (x:Shipment WHERE $until IS NULL OR x.shipped_on <= $until)){2,9} (e)
WHERE length(p) < $max_hops AND e.importer_id = s.exporter_id
WITH p, [s.exporter_id] + [n IN nodes(p) | n.importer_id] AS cs
WHERE all(i IN range(1, size(cs) - 2) WHERE NOT cs[i] IN cs[0..i])
WITH collect(nodes(p)) AS chains
WITH chains, reduce(acc = [], c IN chains |
                    acc + [i IN range(1, size(c) - 1) | [n IN c[i..] | n.shipment_id]]) AS tails
UNWIND chains AS chain
WITH DISTINCT chain, tails
WHERE NOT [n IN chain | n.shipment_id] IN tails
WITH chain, chain[0].value_usd / chain[0].carats AS vpc_start,
     chain[-1].value_usd / chain[-1].carats AS vpc_end
WHERE vpc_start > 0 AND vpc_end > vpc_start * (1.0 + $min_markup) ^ (size(chain) - 1)
  AND all(i IN range(1, size(chain) - 1)
          WHERE abs(chain[i].carats - chain[i - 1].carats) <= $max_change * chain[i - 1].carats)
WITH chain, vpc_start, vpc_end, [chain[0].exporter_id] + [n IN chain | n.importer_id] AS companies
RETURN [n IN chain | n.shipment_id] AS shipments, companies,
       COLLECT { MATCH (c:Company) WHERE c.company_id IN companies
                 RETURN DISTINCT c.country AS k ORDER BY k } AS countries,
       [n IN chain | n.shipped_on] AS dates, vpc_start, vpc_end
ORDER BY shipments;
