// name: flag_certificate_wrong_issuer
// description: "Red flag certificate_wrong_issuer: certificates issued by another country than the exporter's."
// explanation: >
//   One row per certificate that covers a shipment whose exporter is registered in
//   another country than the issuing one: the first such exporter, the shipments in date
//   order, their companies and days. The rows of `kpgraph flags --rule
//   certificate_wrong_issuer` (docs/rules.md).
// params:
//   since: {type: date, default: null, example: "2021-01-01", description: first shipping day}
//   until: {type: date, default: null, example: "2021-12-31", description: last shipping day}
// returns: [certificate_id, issuing_country, exporter_id, exporter_country, shipments, companies, first_day, last_day, carats]
// order: [certificate_id]
MATCH (e:Company)-[:EXPORTED]->(s:Shipment)-[:COVERED_BY]->(k:Certificate)
WHERE k.issuing_country <> e.country
  AND ($since IS NULL OR s.shipped_on >= $since) AND ($until IS NULL OR s.shipped_on <= $until)
WITH k, s, e ORDER BY s.shipped_on, s.shipment_id
WITH k, collect(s) AS ships, collect(e) AS exporters
RETURN k.certificate_id AS certificate_id, k.issuing_country AS issuing_country,
       exporters[0].company_id AS exporter_id, exporters[0].country AS exporter_country,
       [s IN ships | s.shipment_id] AS shipments,
       COLLECT { UNWIND ships AS s UNWIND [s.exporter_id, s.importer_id] AS c
                 RETURN DISTINCT c ORDER BY c } AS companies,
       ships[0].shipped_on AS first_day, ships[-1].shipped_on AS last_day,
       reduce(t = 0.0, s IN ships | t + s.carats) AS carats
ORDER BY certificate_id;
