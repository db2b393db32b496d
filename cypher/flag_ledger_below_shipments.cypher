// name: flag_ledger_below_shipments
// description: "Red flag ledger_below_shipments: cutting centres whose ledger records less rough in than their shipments delivered."
// explanation: >
//   For each company with a ledger, the rough shipped to it in the period that left at
//   least transit_days before its month's end (so it arrived within the month), summed by
//   month; the months where that is more than the ledger's rough in (missing = 0) by over
//   tolerance of it and over min_carats. One row per company: the months in order with
//   the ledger's and the delivered carats, and those shipments and certificates. The rows
//   of `kpgraph flags --rule ledger_below_shipments` (docs/rules.md).
// params:
//   since: {type: date, default: null, example: "2021-01-01", description: first shipping day}
//   until: {type: date, default: null, example: "2021-12-31", description: last shipping day}
//   transit_days: {type: int, default: 10, example: 10, description: days a shipment may travel}
//   tolerance: {type: float, default: 0.1, example: 0.1, description: share of the delivered carats the ledger may lack}
//   min_carats: {type: float, default: 50.0, example: 50.0, description: smallest shortfall that counts}
// returns: [company_id, country, months, ledger, delivered, shipments, certificates]
// order: [company_id]
MATCH (p:Company) WHERE EXISTS { (p)-[:RECORDED]->(:ProductionRecord) }
MATCH (s:Shipment)-[:IMPORTED_BY]->(p)
WHERE s.hs_code IN ['7102.10', '7102.21', '7102.31']
  AND ($since IS NULL OR s.shipped_on >= $since) AND ($until IS NULL OR s.shipped_on <= $until)
  AND s.shipped_on <= date.truncate('month', s.shipped_on) + duration({months: 1})
                      - duration({days: 1 + $transit_days})
WITH p, substring(toString(s.shipped_on), 0, 7) AS month, collect(s) AS ships,
     sum(s.carats) AS delivered
MATCH (p)-[:RECORDED]->(r:ProductionRecord {month: month})
WITH p, month, ships, delivered, coalesce(r.rough_in_carats, 0.0) AS ledger
WHERE delivered - ledger > CASE WHEN $tolerance * delivered > $min_carats
                                THEN $tolerance * delivered ELSE $min_carats END
WITH p, month, ships, delivered, ledger ORDER BY month
WITH p, collect(month) AS months, collect(ledger) AS ledger, collect(delivered) AS delivered,
     collect(ships) AS groups
RETURN p.company_id AS company_id, p.country AS country, months, ledger, delivered,
       COLLECT { UNWIND groups AS g UNWIND g AS s RETURN s.shipment_id AS id ORDER BY id }
         AS shipments,
       COLLECT { UNWIND groups AS g UNWIND g AS s WITH DISTINCT s.certificate_id AS k
                 WHERE k IS NOT NULL RETURN k ORDER BY k } AS certificates
ORDER BY company_id;
