// name: free_zone_throughput
// description: Rough going in and out of each free-zone company, with value per carat.
// explanation: >
//   For every company registered in a customs-free zone (or in one zone), its rough
//   shipments (HS 7102.10, 7102.21, 7102.31) received and sent: number, carats, declared
//   value, value per carat in and out, and out over in. A hub's value per carat that jumps
//   or falls between its purchases and its sales is what Amnesty International asked
//   governments to watch.
// params:
//   zone: {type: string, default: null, example: DMCC, description: one free zone, or null for all}
// returns: [company_id, name, country, free_zone, shipments_in, carats_in, value_in, shipments_out, carats_out, value_out, value_per_carat_in, value_per_carat_out, out_over_in]
// order: [company_id]
MATCH (c:Company)
WHERE c.free_zone IS NOT NULL AND ($zone IS NULL OR c.free_zone = $zone)
CALL (c) {
  OPTIONAL MATCH (s:Shipment)-[:IMPORTED_BY]->(c)
    WHERE s.hs_code IN ['7102.10', '7102.21', '7102.31']
  RETURN count(s) AS shipments_in, sum(s.carats) AS carats_in, sum(s.value_usd) AS value_in
}
CALL (c) {
  OPTIONAL MATCH (c)-[:EXPORTED]->(s:Shipment)
    WHERE s.hs_code IN ['7102.10', '7102.21', '7102.31']
  RETURN count(s) AS shipments_out, sum(s.carats) AS carats_out, sum(s.value_usd) AS value_out
}
WITH c, shipments_in, carats_in, value_in, shipments_out, carats_out, value_out,
     CASE WHEN carats_in > 0 THEN value_in / carats_in END AS vin,
     CASE WHEN carats_out > 0 THEN value_out / carats_out END AS vout
RETURN c.company_id AS company_id, c.name AS name, c.country AS country,
       c.free_zone AS free_zone, shipments_in, carats_in, value_in, shipments_out,
       carats_out, value_out, vin AS value_per_carat_in, vout AS value_per_carat_out,
       CASE WHEN vin > 0 THEN vout / vin END AS out_over_in
ORDER BY company_id;
