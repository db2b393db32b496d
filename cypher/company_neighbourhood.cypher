// name: company_neighbourhood
// description: The companies within k trade hops of a company, with their distance.
// explanation: >
//   A breadth-first walk over shipments in either direction (a hop is one shipment between
//   two companies, whoever sent it): every company reached within `hops` hops, with the
//   fewest hops that reach it. Needs APOC core (apoc.path.spanningTree), which the
//   docker-compose Neo4j and the test server have.
// params:
//   company_id: {type: string, example: C000123, description: the company at the centre}
//   hops: {type: int, min: 1, max: 6, default: 2, example: 2, description: how many trade hops}
// returns: [company_id, name, country, role, free_zone, hops]
// order: [hops, company_id]
MATCH (c:Company {company_id: $company_id})
CALL apoc.path.spanningTree(c, {relationshipFilter: 'EXPORTED|IMPORTED_BY',
                                maxLevel: 2 * $hops, bfs: true})
YIELD path
WITH last(nodes(path)) AS x, length(path) AS len
WHERE x:Company AND len > 0
RETURN x.company_id AS company_id, x.name AS name, x.country AS country, x.role AS role,
       x.free_zone AS free_zone, len / 2 AS hops
ORDER BY hops, company_id;
