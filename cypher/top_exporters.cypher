// name: top_exporters
// description: The companies that sent the most declared value in a year.
// explanation: >
//   Companies ranked by the declared value of the shipments they sent in the calendar
//   year (all goods), with the number of shipments and the carats; ties by company id.
// params:
//   year: {type: int, min: 1, max: 9999, example: 2021, description: the calendar year}
//   limit: {type: int, min: 1, max: 100000, default: 20, example: 20, description: how many companies}
// returns: [company_id, name, country, role, shipments, carats, value_usd]
// order: [value_usd DESC, company_id]
MATCH (c:Company)-[:EXPORTED]->(s:Shipment)
WHERE s.shipped_on.year = $year
RETURN c.company_id AS company_id, c.name AS name, c.country AS country, c.role AS role,
       count(s) AS shipments, sum(s.carats) AS carats, sum(s.value_usd) AS value_usd
ORDER BY value_usd DESC, company_id
LIMIT $limit;
