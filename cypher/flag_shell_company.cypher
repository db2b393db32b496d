// name: flag_shell_company
// description: "Red flag shell_company: companies that share a registration number or an address."
// explanation: >
//   Registration numbers normalised to their letters and digits, upper case; addresses
//   to lower case words (runs of letters and digits) with common abbreviations spelled
//   out (the map below; kpgraph/identifiers.py holds the same steps). One row per
//   registration or address that two or more companies share: the companies, their
//   countries, whether any was ever audited, their shipments in the period with
//   certificates, days, carats and value, and the period's last day and median value per
//   carat. The rows of `kpgraph flags --rule shell_company` (docs/rules.md).
// params:
//   since: {type: date, default: null, example: "2021-01-01", description: first shipping day}
//   until: {type: date, default: null, example: "2021-12-31", description: last shipping day}
// returns: [kind, value, companies, countries, ever_audited, shipments, certificates, first_day, last_day, carats, value_usd, data_last, median_vpc]
// order: [kind, value]
CALL () {
  MATCH (s:Shipment)
  WHERE ($since IS NULL OR s.shipped_on >= $since) AND ($until IS NULL OR s.shipped_on <= $until)
  RETURN max(s.shipped_on) AS data_last, percentileCont(s.value_usd / s.carats, 0.5) AS median_vpc,
         count(s) AS n
}
WITH data_last, median_vpc WHERE n > 0
MATCH (c:Company)
WITH data_last, median_vpc, c, {`st`: 'street', `str`: 'street', `rd`: 'road', `ave`: 'avenue', `av`: 'avenue', `blvd`: 'boulevard', `bldg`: 'building', `fl`: 'floor', `no`: 'number', `ste`: 'suite', `twr`: 'tower'} AS words
UNWIND [['registration_no', toUpper(apoc.text.regreplace(c.registration_no, '[^0-9A-Za-z]', ''))],
        ['address', apoc.text.join([w IN split(trim(apoc.text.regreplace(toLower(c.address), '[^\\p{L}\\p{N}]+', ' ')), ' ') | coalesce(words[w], w)], ' ')]] AS key
WITH data_last, median_vpc, c, key[0] AS kind, key[1] AS value
WHERE value IS NOT NULL AND value <> ''
WITH data_last, median_vpc, kind, value, c ORDER BY c.company_id
WITH data_last, median_vpc, kind, value, collect(c) AS members
WHERE size(members) > 1
CALL (members) {
  UNWIND members AS m
  OPTIONAL MATCH (m)-[:EXPORTED|IMPORTED_BY]-(s:Shipment)
  WHERE ($since IS NULL OR s.shipped_on >= $since) AND ($until IS NULL OR s.shipped_on <= $until)
  WITH DISTINCT s
  RETURN collect(s) AS ships
}
RETURN kind, value, [m IN members | m.company_id] AS companies,
       COLLECT { UNWIND members AS m RETURN DISTINCT m.country AS k ORDER BY k } AS countries,
       any(m IN members WHERE m.last_audit IS NOT NULL) AS ever_audited,
       COLLECT { UNWIND ships AS s RETURN s.shipment_id AS id ORDER BY id } AS shipments,
       COLLECT { UNWIND ships AS s WITH DISTINCT s.certificate_id AS k WHERE k IS NOT NULL
                 RETURN k ORDER BY k } AS certificates,
       COLLECT { UNWIND ships AS s RETURN s.shipped_on AS d ORDER BY d LIMIT 1 }[0] AS first_day,
       COLLECT { UNWIND ships AS s RETURN s.shipped_on AS d ORDER BY d DESC LIMIT 1 }[0]
         AS last_day,
       reduce(t = 0.0, s IN ships | t + s.carats) AS carats,
       reduce(t = 0.0, s IN ships | t + coalesce(s.value_usd, 0.0)) AS value_usd,
       data_last, median_vpc
ORDER BY kind DESC, value;
