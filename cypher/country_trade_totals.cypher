// name: country_trade_totals
// description: Trade totals from one country to another in a year, by HS code.
// explanation: >
//   Shipments whose exporter is registered in the first country and whose importer is
//   registered in the second, shipped in the given calendar year: their number, carats and
//   declared value, per customs heading.
// params:
//   from_country: {type: string, example: BWA, description: the exporters' country (ISO3)}
//   to_country: {type: string, example: ARE, description: the importers' country (ISO3)}
//   year: {type: int, min: 1, max: 9999, example: 2021, description: the calendar year}
// returns: [from_country, to_country, year, hs_code, shipments, carats, value_usd]
// order: [hs_code]
MATCH (:Country {iso3: $from_country})<-[:REGISTERED_IN]-(e:Company)-[:EXPORTED]->(s:Shipment)
      -[:IMPORTED_BY]->(i:Company)-[:REGISTERED_IN]->(:Country {iso3: $to_country})
WHERE s.shipped_on >= date({year: $year, month: 1, day: 1})
  AND s.shipped_on <= date({year: $year, month: 12, day: 31})
RETURN $from_country AS from_country, $to_country AS to_country, $year AS year,
       s.hs_code AS hs_code, count(s) AS shipments, sum(s.carats) AS carats,
       sum(s.value_usd) AS value_usd
ORDER BY hs_code;
