// name: shared_identifiers
// description: Companies that share a registration number or an address, after normalising.
// explanation: >
//   Groups of two or more companies whose registration numbers, or whose addresses, are the
//   same once lower-cased and stripped of spaces and the punctuation , . - / # ' " ( ) ; :
//   (so "AE-2002" and "AE2002", or "12 Hoveniersstraat, Antwerp" and "12 HOVENIERSSTRAAT
//   ANTWERP", match). Give company_id to see only the groups that include it.
// params:
//   company_id: {type: string, default: null, example: C000123, description: only groups with this company}
// returns: [kind, value, companies, company_ids, names, countries]
// order: [kind, value]
MATCH (c:Company)
UNWIND [['registration_no', c.registration_no], ['address', c.address]] AS id
WITH c, id[0] AS kind,
     reduce(v = toLower(id[1]), ch IN [' ', ',', '.', '-', '/', '#', "'", '"', '(', ')', ';', ':'] |
            replace(v, ch, '')) AS value
WHERE value IS NOT NULL AND value <> ''
WITH kind, value, c ORDER BY c.company_id
WITH kind, value, collect(c) AS cs
WHERE size(cs) > 1 AND ($company_id IS NULL OR any(x IN cs WHERE x.company_id = $company_id))
RETURN kind, value, size(cs) AS companies, [x IN cs | x.company_id] AS company_ids,
       [x IN cs | x.name] AS names, [x IN cs | x.country] AS countries
ORDER BY kind, value;
