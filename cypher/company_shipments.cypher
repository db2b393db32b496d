// name: company_shipments
// description: A company's shipments, out and in, in a period.
// explanation: >
//   Every shipment that the company exported or imported, newest first, with the
//   counterparty, the figures and the certificate it travelled on. Leave since or until
//   null for an open period.
// params:
//   company_id: {type: string, example: C000123, description: the company}
//   since: {type: date, default: null, example: "2021-01-01", description: first shipping day}
//   until: {type: date, default: null, example: "2021-12-31", description: last shipping day}
// returns: [shipment_id, shipped_on, direction, counterparty_id, carats, value_usd, hs_code, certificate_id, declared_origin]
// order: [shipped_on DESC, shipment_id]
MATCH (c:Company {company_id: $company_id})
CALL (c) {
  MATCH (c)-[:EXPORTED]->(s:Shipment)-[:IMPORTED_BY]->(o:Company)
  RETURN s, 'out' AS direction, o
  UNION ALL
  MATCH (o:Company)-[:EXPORTED]->(s:Shipment)-[:IMPORTED_BY]->(c)
  RETURN s, 'in' AS direction, o
}
WITH s, direction, o
WHERE ($since IS NULL OR s.shipped_on >= $since) AND ($until IS NULL OR s.shipped_on <= $until)
RETURN s.shipment_id AS shipment_id, s.shipped_on AS shipped_on, direction,
       o.company_id AS counterparty_id, s.carats AS carats, s.value_usd AS value_usd,
       s.hs_code AS hs_code, s.certificate_id AS certificate_id,
       s.declared_origin AS declared_origin
ORDER BY shipped_on DESC, shipment_id;
