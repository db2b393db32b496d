// name: flag_certificate_reused
// description: "Red flag certificate_reused: KP certificates that cover several shipments."
// explanation: >
//   One row per certificate with two or more shipments in the period: the shipments in
//   date order, their companies, first and last day, and the carats they moved. The rows
//   of `kpgraph flags --rule certificate_reused` (docs/rules.md).
// params:
//   since: {type: date, default: null, example: "2021-01-01", description: first shipping day}
//   until: {type: date, default: null, example: "2021-12-31", description: last shipping day}
// returns: [certificate_id, shipments, companies, first_day, last_day, carats]
// order: [certificate_id]
MATCH (s:Shipment)-[:COVERED_BY]->(k:Certificate)
WHERE ($since IS NULL OR s.shipped_on >= $since) AND ($until IS NULL OR s.shipped_on <= $until)
WITH k, s ORDER BY s.shipped_on, s.shipment_id
WITH k, collect(s) AS ships
WHERE size(ships) > 1
RETURN k.certificate_id AS certificate_id, [s IN ships | s.shipment_id] AS shipments,
       COLLECT { UNWIND ships AS s UNWIND [s.exporter_id, s.importer_id] AS c
                 RETURN DISTINCT c ORDER BY c } AS companies,
       ships[0].shipped_on AS first_day, ships[-1].shipped_on AS last_day,
       reduce(t = 0.0, s IN ships | t + s.carats) AS carats
ORDER BY certificate_id;
