// name: companies_by_name
// description: Companies whose name contains a text, ignoring case.
// explanation: >
//   A case-insensitive substring search over registered names, for finding a company id
//   from a name seen in a document.
// params:
//   text: {type: string, example: almas, description: part of the name}
// returns: [company_id, name, country, role, free_zone]
// order: [name, company_id]
MATCH (c:Company)
WHERE toLower(c.name) CONTAINS toLower($text)
RETURN c.company_id AS company_id, c.name AS name, c.country AS country, c.role AS role,
       c.free_zone AS free_zone
ORDER BY name, company_id;
