// name: routes_from_origin
// description: Laundering route candidates from an origin country, as chains of shipments.
// explanation: >
//   Start at every rough shipment exported by a company of the origin country, declared
//   from it, or covered by a certificate declaring it; follow NEXT links (the continuation
//   links built at load time: a later shipment of the importer that could carry the same
//   parcel on) within the window and carat tolerance, never visiting a company twice
//   (a chain of three or more may close where it began). Returns the complete chains:
//   those that reached the destination (when one is given), closed, used max_hops
//   shipments, or can go no further. kpgraph routes ranks them.
//   The starts, in order of date then id, can be split into parts searched apart (at
//   once, on as many cores): together they give what one search gives.
// params:
//   origin: {type: string, example: CAF, description: ISO3 of the origin country}
//   to_country: {type: string, default: null, description: "end in this country (ISO3)"}
//   to_company: {type: string, default: null, description: end at this company}
//   max_hops: {type: int, min: 1, max: 10, default: 6, description: at most this many shipments (1-10)}
//   window_days: {type: int, min: 0, max: 180, default: 120, description: days allowed between shipments}
//   tolerance: {type: float, min: 1, max: 10, default: 10.0, description: largest carat ratio between shipments}
//   since: {type: date, default: null, description: first shipping day}
//   until: {type: date, default: null, description: last shipping day}
//   part: {type: int, min: 0, max: 15, default: 0, description: "the part of the starts to search, from 0 (see parts)"}
//   parts: {type: int, min: 1, max: 16, default: 1, description: "split the starts, in order of date, into this many parts"}
// returns: [shipments]
// order: [shipments]
CALL () {
  MATCH (:Country {iso3: $origin})<-[:REGISTERED_IN]-(:Company)-[:EXPORTED]->(s:Shipment)
  RETURN s
  UNION
  MATCH (:Country {iso3: $origin})<-[:DECLARED_ORIGIN]-(s:Shipment)
  RETURN s
  UNION
  MATCH (:Country {iso3: $origin})<-[:CERTIFIED_ORIGIN]-(:Certificate)<-[:COVERED_BY]-(s:Shipment)
  RETURN s
}
WITH s
WHERE NOT coalesce(s.hs_code, '') IN ['7102.29', '7102.39']
  AND s.importer_id <> s.exporter_id
  AND ($since IS NULL OR s.shipped_on >= $since)
  AND ($until IS NULL OR s.shipped_on <= $until)
WITH s ORDER BY s.shipped_on, s.shipment_id
WITH collect(s) AS starts
UNWIND starts[size(starts) * $part / $parts .. size(starts) * ($part + 1) / $parts] AS s
MATCH p = (s) (()-[r:NEXT WHERE r.days <= $window_days AND r.ratio <= $tolerance]->
               (x:Shipment WHERE $until IS NULL OR x.shipped_on <= $until)){0,9} (e)
WHERE length(p) < $max_hops
WITH s, e, p, [s.exporter_id] + [n IN nodes(p) | n.importer_id] AS cs
WHERE all(i IN range(1, size(cs) - 1) WHERE NOT cs[i] IN cs[1..i]
          AND (cs[i] <> cs[0] OR (i = size(cs) - 1 AND i >= 3)))
WITH s, e, p, cs,
     [n IN nodes(p) | ($to_company IS NOT NULL AND n.importer_id = $to_company)
                      OR ($to_country IS NOT NULL
                          AND COUNT { (n)-[:IMPORTED_BY]->(:Company {country: $to_country}) } > 0)]
     AS arrived
WITH s, e, p, cs, arrived,
     size(cs) - 1 >= 3 AND cs[size(cs) - 1] = cs[0] AS closed
WHERE CASE
  WHEN $to_country IS NOT NULL OR $to_company IS NOT NULL
    THEN arrived[size(arrived) - 1] AND NOT any(a IN arrived[0..size(arrived) - 1] WHERE a)
  ELSE closed OR length(p) = $max_hops - 1 OR NOT EXISTS {
    MATCH (e)-[r2:NEXT]->(y:Shipment)
    WHERE r2.days <= $window_days AND r2.ratio <= $tolerance
      AND ($until IS NULL OR y.shipped_on <= $until)
      AND NOT y.importer_id IN cs[1..]
      AND (y.importer_id <> cs[0] OR size(cs) >= 3)
  }
END
RETURN [n IN nodes(p) | n.shipment_id] AS shipments
ORDER BY shipments;
