// name: shared_identifiers
// description: Companies that share a registration number or an address, after normalising.
// explanation: >
//   Groups of two or more companies whose registration numbers, or whose addresses, are the
//   same once normalised as the shell-company rule does (kpgraph/identifiers.py):
//   registration numbers to their letters and digits, upper case; addresses to lower-case
//   words with common abbreviations spelled out (so "AE-2002" and "AE2002", or "12
//   Hoveniersstraat, Antwerp" and "12 HOVENIERSSTRAAT ANTWERP", match). Give company_id to
//   see only the groups that include it.
// params:
//   company_id: {type: string, default: null, example: C000123, description: only groups with this company}
// returns: [kind, value, companies, company_ids, names, countries]
// order: [kind, value]
MATCH (c:Company)
WITH c, {`st`: 'street', `str`: 'street', `rd`: 'road', `ave`: 'avenue', `av`: 'avenue', `blvd`: 'boulevard', `bldg`: 'building', `fl`: 'floor', `no`: 'number', `ste`: 'suite', `twr`: 'tower'} AS words
UNWIND [['registration_no', toUpper(apoc.text.regreplace(c.registration_no, '[^0-9A-Za-z]', ''))],
        ['address', apoc.text.join([w IN split(trim(apoc.text.regreplace(toLower(c.address), '[^\\p{L}\\p{N}]+', ' ')), ' ') | coalesce(words[w], w)], ' ')]] AS id
WITH c, id[0] AS kind, id[1] AS value
WHERE value IS NOT NULL AND value <> ''
WITH kind, value, c ORDER BY c.company_id
WITH kind, value, collect(c) AS cs
WHERE size(cs) > 1 AND ($company_id IS NULL OR any(x IN cs WHERE x.company_id = $company_id))
RETURN kind, value, size(cs) AS companies, [x IN cs | x.company_id] AS company_ids,
       [x IN cs | x.name] AS names, [x IN cs | x.country] AS countries
ORDER BY kind, value;
