// name: trade_between
// description: Every shipment between two companies, in either direction.
// explanation: >
//   Shipments from the first company to the second and from the second to the first, in
//   date order: the bilateral history behind a suspicious relationship.
// params:
//   company_a: {type: string, example: C000123, description: one company}
//   company_b: {type: string, example: C000456, description: the other company}
// returns: [shipment_id, shipped_on, exporter_id, importer_id, carats, value_usd, hs_code, certificate_id, declared_origin]
// order: [shipped_on, shipment_id]
MATCH (e:Company)-[:EXPORTED]->(s:Shipment)-[:IMPORTED_BY]->(i:Company)
WHERE (e.company_id = $company_a AND i.company_id = $company_b)
   OR (e.company_id = $company_b AND i.company_id = $company_a)
RETURN s.shipment_id AS shipment_id, s.shipped_on AS shipped_on, e.company_id AS exporter_id,
       i.company_id AS importer_id, s.carats AS carats, s.value_usd AS value_usd,
       s.hs_code AS hs_code, s.certificate_id AS certificate_id,
       s.declared_origin AS declared_origin
ORDER BY shipped_on, shipment_id;
