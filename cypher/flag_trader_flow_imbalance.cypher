// name: flag_trader_flow_imbalance
// description: "Red flag trader_flow_imbalance: companies that are not miners and send far more of their country's rough than they received."
// explanation: >
//   For each company that is not a miner: the rough (not worked goods) it sent in the
//   period from settle_days after the period's first shipment, declared as its own
//   country's origin while that country could certify it (a participant, under no KP
//   status period on the day: rough sent otherwise is sanctioned trade), against all the rough it received in the period plus its opening
//   stock (the closing stock of its first ledger month that states one). One row per
//   company that sent over ratio times that supply in at least min_shipments shipments.
//   The rows of `kpgraph flags --rule trader_flow_imbalance` (docs/rules.md).
// params:
//   since: {type: date, default: null, example: "2021-01-01", description: first shipping day}
//   until: {type: date, default: null, example: "2021-12-31", description: last shipping day}
//   ratio: {type: float, min: 1, max: 1000, default: 1.5, example: 1.5, description: largest plausible ratio of sent to supply}
//   min_shipments: {type: int, min: 1, max: 1000000.0, default: 2, example: 2, description: fewest shipments sent}
//   settle_days: {type: int, min: 0, max: 3650, default: 90, example: 90, description: days after the data begins before sent rough counts}
// returns: [company_id, role, country, own_out_carats, rough_in_carats, opening_stock, shipments, certificates, first_day, last_day]
// order: [company_id]
CALL () {
  MATCH (x:Shipment)
  WHERE ($since IS NULL OR x.shipped_on >= $since) AND ($until IS NULL OR x.shipped_on <= $until)
  RETURN min(x.shipped_on) + duration({days: $settle_days}) AS settled
}
MATCH (c:Company)-[:EXPORTED]->(s:Shipment)
WHERE c.role <> 'miner' AND NOT coalesce(s.hs_code, '') IN ['7102.29', '7102.39']
  AND s.shipped_on >= settled AND s.declared_origin = c.country
  AND ($since IS NULL OR s.shipped_on >= $since) AND ($until IS NULL OR s.shipped_on <= $until)
  AND EXISTS { (c)-[:REGISTERED_IN]->(k:Country) WHERE k.kp_member_since <= s.shipped_on }
  AND NOT EXISTS { (c)-[:REGISTERED_IN]->(:Country)-[:HAD_STATUS]->(p:KPStatus)
                   WHERE p.start <= s.shipped_on AND (p.end IS NULL OR s.shipped_on <= p.end) }
WITH c, collect(s) AS sent, sum(s.carats) AS sent_ct
WHERE size(sent) >= $min_shipments
CALL (c) {
  OPTIONAL MATCH (x:Shipment)-[:IMPORTED_BY]->(c)
  WHERE NOT coalesce(x.hs_code, '') IN ['7102.29', '7102.39']
    AND ($since IS NULL OR x.shipped_on >= $since) AND ($until IS NULL OR x.shipped_on <= $until)
  RETURN coalesce(sum(x.carats), 0.0) AS rough_in
}
CALL (c) {
  OPTIONAL MATCH (c)-[:RECORDED]->(r:ProductionRecord)
  WHERE r.closing_stock_carats IS NOT NULL
  WITH r ORDER BY r.month LIMIT 1
  RETURN coalesce(r.closing_stock_carats, 0.0) AS stock
}
WITH c, sent, sent_ct, 1.0 * rough_in AS rough_in, 1.0 * stock AS stock
WHERE sent_ct > $ratio * (rough_in + stock)
RETURN c.company_id AS company_id, c.role AS role, c.country AS country,
       sent_ct AS own_out_carats, rough_in AS rough_in_carats, stock AS opening_stock,
       COLLECT { UNWIND sent AS s RETURN s.shipment_id AS id ORDER BY id } AS shipments,
       COLLECT { UNWIND sent AS s WITH DISTINCT s.certificate_id AS k WHERE k IS NOT NULL
                 RETURN k ORDER BY k } AS certificates,
       COLLECT { UNWIND sent AS s RETURN s.shipped_on AS d ORDER BY d LIMIT 1 }[0] AS first_day,
       COLLECT { UNWIND sent AS s RETURN s.shipped_on AS d ORDER BY d DESC LIMIT 1 }[0]
         AS last_day
ORDER BY company_id;
