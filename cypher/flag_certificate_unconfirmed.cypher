// name: flag_certificate_unconfirmed
// description: "Red flag certificate_unconfirmed: certificates the importing authority never confirmed."
// explanation: >
//   One row per certificate with no import confirmation, issued at least grace_days
//   before the last shipping day of the period, that covers a shipment of the period:
//   its shipments, companies and days. The rows of `kpgraph flags --rule
//   certificate_unconfirmed` (docs/rules.md).
// params:
//   since: {type: date, default: null, example: "2021-01-01", description: first shipping day}
//   until: {type: date, default: null, example: "2021-12-31", description: last shipping day}
//   grace_days: {type: int, min: 0, max: 3650, default: 90, example: 90, description: days a confirmation may take}
// returns: [certificate_id, issuing_country, issued_on, certificate_carats, shipments, companies, first_day, last_day]
// order: [certificate_id]
MATCH (x:Shipment)
WHERE ($since IS NULL OR x.shipped_on >= $since) AND ($until IS NULL OR x.shipped_on <= $until)
WITH max(x.shipped_on) - duration({days: $grace_days}) AS cutoff
MATCH (s:Shipment)-[:COVERED_BY]->(k:Certificate)
WHERE k.confirmed_on IS NULL AND k.issued_on <= cutoff
  AND ($since IS NULL OR s.shipped_on >= $since) AND ($until IS NULL OR s.shipped_on <= $until)
WITH k, s ORDER BY s.shipped_on, s.shipment_id
WITH k, collect(s) AS ships
RETURN k.certificate_id AS certificate_id, k.issuing_country AS issuing_country,
       k.issued_on AS issued_on, k.carats AS certificate_carats,
       COLLECT { UNWIND ships AS s RETURN s.shipment_id AS id ORDER BY id } AS shipments,
       COLLECT { UNWIND ships AS s UNWIND [s.exporter_id, s.importer_id] AS c
                 RETURN DISTINCT c ORDER BY c } AS companies,
       ships[0].shipped_on AS first_day, ships[-1].shipped_on AS last_day
ORDER BY certificate_id;
