// name: flag_certificate_expired
// description: "Red flag certificate_expired: shipments that left after their certificate expired."
// explanation: >
//   One row per shipment in the period that left after its certificate's last day of
//   validity, with how many days after. The rows of `kpgraph flags --rule
//   certificate_expired` (docs/rules.md).
// params:
//   since: {type: date, default: null, example: "2021-01-01", description: first shipping day}
//   until: {type: date, default: null, example: "2021-12-31", description: last shipping day}
// returns: [certificate_id, shipments, companies, issuing_country, first_day, last_day, expires_on, days_after_expiry]
// order: [certificate_id, shipments]
MATCH (s:Shipment)-[:COVERED_BY]->(k:Certificate)
WHERE k.expires_on IS NOT NULL AND s.shipped_on > k.expires_on
  AND ($since IS NULL OR s.shipped_on >= $since) AND ($until IS NULL OR s.shipped_on <= $until)
RETURN k.certificate_id AS certificate_id, [s.shipment_id] AS shipments,
       COLLECT { UNWIND [s.exporter_id, s.importer_id] AS c RETURN DISTINCT c ORDER BY c }
         AS companies,
       k.issuing_country AS issuing_country, s.shipped_on AS first_day,
       s.shipped_on AS last_day, k.expires_on AS expires_on,
       duration.inDays(k.expires_on, s.shipped_on).days AS days_after_expiry
ORDER BY certificate_id, shipments;
