// name: company_profile
// description: "One company: its registration, audit, and trade in and out."
// explanation: >
//   The company's registered details (with its country's name), the number, carats and
//   declared value of the shipments it sent and received, how many distinct companies it
//   sold to and bought from, and its first and last shipping day. No row if there is no
//   such company.
// params:
//   company_id: {type: string, example: C000123, description: the company}
// returns: [company_id, name, country, country_name, role, free_zone, registration_no, address, last_audit, shipments_out, carats_out, value_out, shipments_in, carats_in, value_in, buyers, suppliers, first_trade, last_trade]
// order: [company_id]
MATCH (c:Company {company_id: $company_id})
OPTIONAL MATCH (c)-[:REGISTERED_IN]->(k:Country)
CALL (c) {
  OPTIONAL MATCH (c)-[:EXPORTED]->(s:Shipment)
  RETURN count(s) AS shipments_out, sum(s.carats) AS carats_out, sum(s.value_usd) AS value_out
}
CALL (c) {
  OPTIONAL MATCH (s:Shipment)-[:IMPORTED_BY]->(c)
  RETURN count(s) AS shipments_in, sum(s.carats) AS carats_in, sum(s.value_usd) AS value_in
}
CALL (c) {
  OPTIONAL MATCH (c)-[:EXPORTED]->(:Shipment)-[:IMPORTED_BY]->(b:Company)
  RETURN count(DISTINCT b) AS buyers
}
CALL (c) {
  OPTIONAL MATCH (p:Company)-[:EXPORTED]->(:Shipment)-[:IMPORTED_BY]->(c)
  RETURN count(DISTINCT p) AS suppliers
}
CALL (c) {
  OPTIONAL MATCH (c)-[:EXPORTED|IMPORTED_BY]-(s:Shipment)
  RETURN min(s.shipped_on) AS first_trade, max(s.shipped_on) AS last_trade
}
RETURN c.company_id AS company_id, c.name AS name, c.country AS country,
       k.name AS country_name, c.role AS role, c.free_zone AS free_zone,
       c.registration_no AS registration_no, c.address AS address,
       c.last_audit AS last_audit, shipments_out, carats_out, value_out, shipments_in,
       carats_in, value_in, buyers, suppliers, first_trade, last_trade;
