// name: country_trade_partners
// description: "A country's trade partners by year: exports to and imports from each country."
// explanation: >
//   Shipments sent by companies registered in the country (exports, by the importer's
//   country) and received by them (imports, by the exporter's country), per calendar year:
//   number, carats and declared value. Trade between two companies of the same country
//   counts as both. Leave year null for every year.
// params:
//   iso3: {type: string, example: ARE, description: the country}
//   year: {type: int, min: 1, max: 9999, default: null, example: 2021, description: one calendar year, or null for all}
// returns: [iso3, year, direction, partner, shipments, carats, value_usd]
// order: [year, direction, value_usd DESC, partner]
MATCH (:Country {iso3: $iso3})<-[:REGISTERED_IN]-(c:Company)
CALL (c) {
  MATCH (c)-[:EXPORTED]->(s:Shipment)-[:IMPORTED_BY]->(o:Company)
  RETURN s, 'export' AS direction, o
  UNION ALL
  MATCH (o:Company)-[:EXPORTED]->(s:Shipment)-[:IMPORTED_BY]->(c)
  RETURN s, 'import' AS direction, o
}
WITH s, direction, o
WHERE $year IS NULL OR s.shipped_on.year = $year
RETURN $iso3 AS iso3, s.shipped_on.year AS year, direction, o.country AS partner,
       count(s) AS shipments, sum(s.carats) AS carats, sum(s.value_usd) AS value_usd
ORDER BY year, direction, value_usd DESC, partner;
