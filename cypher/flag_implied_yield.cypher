// name: flag_implied_yield
// description: "Red flag implied_yield: cutting centres whose ledger shows more polished out than their rough can give."
// explanation: >
//   For each ledger month after a company's first: rough used = the previous ledger
//   month's closing stock + rough in - rough out - this month's closing stock (missing in
//   and out = 0); the months where polished out exceeds max_yield of the rough used (0 if
//   negative) by more than min_carats, among the months the period touches (the month
//   before still gives the opening stock). One row per company: the months in order with the
//   polished and used carats, and the worked goods it shipped in those months in the
//   period. The rows of `kpgraph flags --rule implied_yield` (docs/rules.md).
// params:
//   since: {type: date, default: null, example: "2021-01-01", description: first shipping day}
//   until: {type: date, default: null, example: "2021-12-31", description: last shipping day}
//   max_yield: {type: float, min: 0, max: 1, default: 0.6, example: 0.6, description: largest share of rough that cutting keeps}
//   min_carats: {type: float, min: 0, max: 1000000000.0, default: 50.0, example: 50.0, description: smallest excess that counts}
// returns: [company_id, country, months, polished, used, shipments, certificates]
// order: [company_id]
MATCH (p:Company)-[:RECORDED]->(r:ProductionRecord)
WITH p, r ORDER BY r.month
WITH p, collect(r) AS recs
UNWIND range(1, size(recs) - 1) AS j
WITH p, recs[j] AS r,
     recs[j - 1].closing_stock_carats + coalesce(recs[j].rough_in_carats, 0.0)
     - coalesce(recs[j].rough_out_carats, 0.0) - recs[j].closing_stock_carats AS used
WITH p, r, used, coalesce(r.polished_out_carats, 0.0) AS polished
WHERE used IS NOT NULL
  AND polished - $max_yield * CASE WHEN used > 0 THEN used ELSE 0.0 END > $min_carats
  AND ($since IS NULL OR r.month >= substring(toString($since), 0, 7))
  AND ($until IS NULL OR r.month <= substring(toString($until), 0, 7))
WITH p, r, used, polished ORDER BY r.month
WITH p, collect(r.month) AS months, collect(polished) AS polished, collect(used) AS used
CALL (p, months) {
  OPTIONAL MATCH (p)-[:EXPORTED]->(s:Shipment)
  WHERE s.hs_code IN ['7102.29', '7102.39']
    AND substring(toString(s.shipped_on), 0, 7) IN months
    AND ($since IS NULL OR s.shipped_on >= $since) AND ($until IS NULL OR s.shipped_on <= $until)
  RETURN collect(s) AS sent
}
RETURN p.company_id AS company_id, p.country AS country, months, polished, used,
       COLLECT { UNWIND sent AS s RETURN s.shipment_id AS id ORDER BY id } AS shipments,
       COLLECT { UNWIND sent AS s WITH DISTINCT s.certificate_id AS k WHERE k IS NOT NULL
                 RETURN k ORDER BY k } AS certificates
ORDER BY company_id;
