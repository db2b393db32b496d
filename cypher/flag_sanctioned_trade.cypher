// name: flag_sanctioned_trade
// description: "Red flag sanctioned_trade: trade with a country that could not trade under the KPCS on the day."
// explanation: >
//   For each shipment of the period, the exporter's and the importer's country's standing
//   on the shipping day: the KP status period in force (where periods overlap, the one
//   that began last; on the same day, the status last in alphabetical order), else "not a
//   participant" when the country had no membership date or a later one. One row per
//   exporter, importer, restricted country and status, with the shipments, their
//   certificates, days, carats and value. The rows of `kpgraph flags --rule
//   sanctioned_trade` (docs/rules.md).
// params:
//   since: {type: date, default: null, example: "2021-01-01", description: first shipping day}
//   until: {type: date, default: null, example: "2021-12-31", description: last shipping day}
// returns: [exporter_id, importer_id, country, status, side, shipments, certificates, first_day, last_day, carats, value_usd]
// order: [exporter_id, importer_id, country, status]
CALL () {
  MATCH (x:Shipment)
  WHERE ($since IS NULL OR x.shipped_on >= $since) AND ($until IS NULL OR x.shipped_on <= $until)
  RETURN min(x.shipped_on) AS first
}
// only countries that were ever outside the scheme in the period need looking at
MATCH (c:Country)
WHERE c.kp_member_since IS NULL OR c.kp_member_since > first
   OR EXISTS { (c)-[:HAD_STATUS]->(:KPStatus) }
CALL (c) {
  MATCH (c)<-[:REGISTERED_IN]-(e:Company)-[:EXPORTED]->(s:Shipment)-[:IMPORTED_BY]->(i:Company)
  RETURN e, s, i, 'exporter' AS side
  UNION
  MATCH (c)<-[:REGISTERED_IN]-(i:Company)<-[:IMPORTED_BY]-(s:Shipment)<-[:EXPORTED]-(e:Company)
  RETURN e, s, i, 'importer' AS side
}
WITH c, e, s, i, side
WHERE ($since IS NULL OR s.shipped_on >= $since) AND ($until IS NULL OR s.shipped_on <= $until)
CALL (c, s) {
  OPTIONAL MATCH (c)-[:HAD_STATUS]->(k:KPStatus)
  WHERE k.start <= s.shipped_on AND (k.end IS NULL OR s.shipped_on <= k.end)
  WITH k ORDER BY k.start DESC, k.status DESC LIMIT 1
  RETURN k.status AS in_force
}
WITH e, i, s, side, c.iso3 AS country,
     coalesce(in_force, CASE WHEN c.kp_member_since IS NULL OR c.kp_member_since > s.shipped_on
                             THEN 'not a participant' END) AS status
WHERE status IS NOT NULL
WITH e.company_id AS exporter_id, i.company_id AS importer_id, country, status,
     collect(side) AS sides, collect(DISTINCT s) AS ships, min(s.shipped_on) AS first_day,
     max(s.shipped_on) AS last_day
RETURN exporter_id, importer_id, country, status,
       CASE WHEN 'exporter' IN sides THEN 'exporter' ELSE 'importer' END AS side,
       COLLECT { UNWIND ships AS s RETURN s.shipment_id AS id ORDER BY id } AS shipments,
       COLLECT { UNWIND ships AS s WITH DISTINCT s.certificate_id AS k WHERE k IS NOT NULL
                 RETURN k ORDER BY k } AS certificates,
       first_day, last_day,
       reduce(t = 0.0, s IN ships | t + s.carats) AS carats,
       reduce(t = 0.0, s IN ships | t + coalesce(s.value_usd, 0.0)) AS value_usd
ORDER BY exporter_id, importer_id, country, status;
