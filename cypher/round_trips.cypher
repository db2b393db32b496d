// name: round_trips
// description: Chains of shipments that return to the company they started from.
// explanation: >
//   Start at every rough shipment between two companies that are neither miners nor
//   retailers; follow NEXT links within the window and carat tolerance through companies
//   not yet visited, and keep the chains of three to max_hops shipments whose last
//   importer is the first exporter: goods going round, for kpgraph routes to rank
//   (a rising value per carat makes a round trip a red flag).
//   The starts, in order of date then id, can be split into parts searched apart (at
//   once, on as many cores): together they give what one search gives.
// params:
//   max_hops: {type: int, min: 3, max: 10, default: 6, description: at most this many shipments (3-10)}
//   window_days: {type: int, min: 0, max: 180, default: 120, description: days allowed between shipments}
//   tolerance: {type: float, min: 1, max: 10, default: 10.0, description: largest carat ratio between shipments}
//   since: {type: date, default: null, description: first shipping day}
//   until: {type: date, default: null, description: last shipping day}
//   part: {type: int, min: 0, max: 15, default: 0, description: "the part of the starts to search, from 0 (see parts)"}
//   parts: {type: int, min: 1, max: 16, default: 1, description: "split the starts, in order of date, into this many parts"}
// returns: [shipments]
// order: [shipments]
MATCH (a:Company)-[:EXPORTED]->(s:Shipment)-[:IMPORTED_BY]->(b:Company)
WHERE NOT a.role IN ['miner', 'retailer'] AND NOT b.role IN ['miner', 'retailer']
  AND a <> b
  AND NOT coalesce(s.hs_code, '') IN ['7102.29', '7102.39']
  AND ($since IS NULL OR s.shipped_on >= $since)
  AND ($until IS NULL OR s.shipped_on <= $until)
WITH s ORDER BY s.shipped_on, s.shipment_id
WITH collect(s) AS starts
UNWIND starts[size(starts) * $part / $parts .. size(starts) * ($part + 1) / $parts] AS s
MATCH p = (s) (()-[r:NEXT WHERE r.days <= $window_days AND r.ratio <= $tolerance]->
               (x:Shipment WHERE $until IS NULL OR x.shipped_on <= $until)){2,9} (e)
WHERE length(p) < $max_hops AND e.importer_id = s.exporter_id
WITH p, [s.exporter_id] + [n IN nodes(p) | n.importer_id] AS cs
WHERE all(i IN range(1, size(cs) - 2) WHERE NOT cs[i] IN cs[0..i])
RETURN [n IN nodes(p) | n.shipment_id] AS shipments
ORDER BY shipments;
