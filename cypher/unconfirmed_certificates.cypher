// name: unconfirmed_certificates
// description: KP certificates never confirmed by the importing authority, oldest first.
// explanation: >
//   Certificates with no import confirmation that were issued at least min_days before
//   as_of (by default the last issue date in the data, so that recent certificates,
//   whose confirmation may still come, are left out), with how many shipments used each.
// params:
//   as_of: {type: date, default: null, example: "2022-12-31", description: the day to count from (null = last issue date)}
//   min_days: {type: int, min: 0, max: 3650, default: 60, example: 60, description: how long without confirmation}
// returns: [certificate_id, issuing_country, issued_on, exporter_id, importer_id, carats, value_usd, days_open, shipments]
// order: [issued_on, certificate_id]
MATCH (all:Certificate)
WITH coalesce($as_of, max(all.issued_on)) AS as_of
MATCH (k:Certificate)
WHERE k.confirmed_on IS NULL AND k.issued_on <= as_of - duration({days: $min_days})
OPTIONAL MATCH (s:Shipment)-[:COVERED_BY]->(k)
RETURN k.certificate_id AS certificate_id, k.issuing_country AS issuing_country,
       k.issued_on AS issued_on, k.exporter_id AS exporter_id, k.importer_id AS importer_id,
       k.carats AS carats, k.value_usd AS value_usd,
       duration.inDays(k.issued_on, as_of).days AS days_open, count(s) AS shipments
ORDER BY issued_on, certificate_id;
