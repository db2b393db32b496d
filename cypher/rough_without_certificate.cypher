// name: rough_without_certificate
// description: Rough-diamond shipments that travelled without a KP certificate.
// explanation: >
//   Shipments under a rough heading (HS 7102.10, 7102.21, 7102.31) with no certificate,
//   in a period, with both parties' countries: every rough parcel that crosses a border
//   should carry one.
// params:
//   since: {type: date, default: null, example: "2021-01-01", description: first shipping day}
//   until: {type: date, default: null, example: "2021-12-31", description: last shipping day}
// returns: [shipment_id, shipped_on, exporter_id, exporter_country, importer_id, importer_country, carats, value_usd, hs_code, declared_origin]
// order: [shipped_on, shipment_id]
MATCH (e:Company)-[:EXPORTED]->(s:Shipment)-[:IMPORTED_BY]->(i:Company)
WHERE s.hs_code IN ['7102.10', '7102.21', '7102.31'] AND s.certificate_id IS NULL
  AND ($since IS NULL OR s.shipped_on >= $since) AND ($until IS NULL OR s.shipped_on <= $until)
RETURN s.shipment_id AS shipment_id, s.shipped_on AS shipped_on, e.company_id AS exporter_id,
       e.country AS exporter_country, i.company_id AS importer_id,
       i.country AS importer_country, s.carats AS carats, s.value_usd AS value_usd,
       s.hs_code AS hs_code, s.declared_origin AS declared_origin
ORDER BY shipped_on, shipment_id;
