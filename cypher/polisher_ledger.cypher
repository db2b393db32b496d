// name: polisher_ledger
// description: A cutting centre's monthly ledger beside the shipments it received and sent.
// explanation: >
//   For each month in the ledger or in the shipments: the ledger's rough in, polished out,
//   rough out and closing stock, and the carats that shipments show it received as rough,
//   sent as polished (HS 7102.29, 7102.39) and sent as rough. Ledger columns are null in
//   a month with no ledger row. Amnesty International asked governments to audit polishing
//   centres' stock against their records; this is that comparison.
// params:
//   company_id: {type: string, example: C000123, description: the cutting and polishing company}
// returns: [month, ledger_rough_in, shipped_rough_in, ledger_polished_out, shipped_polished_out, ledger_rough_out, shipped_rough_out, closing_stock]
// order: [month]
MATCH (c:Company {company_id: $company_id})
CALL (c) {
  MATCH (c)-[:RECORDED]->(r:ProductionRecord)
  RETURN r.month AS month, r.rough_in_carats AS lri, r.polished_out_carats AS lpo,
         r.rough_out_carats AS lro, r.closing_stock_carats AS lcs,
         0.0 AS sri, 0.0 AS spo, 0.0 AS sro
  UNION ALL
  MATCH (s:Shipment)-[:IMPORTED_BY]->(c)
    WHERE s.hs_code IN ['7102.10', '7102.21', '7102.31']
  RETURN substring(toString(s.shipped_on), 0, 7) AS month, null AS lri, null AS lpo,
         null AS lro, null AS lcs, s.carats AS sri, 0.0 AS spo, 0.0 AS sro
  UNION ALL
  MATCH (c)-[:EXPORTED]->(s:Shipment)
  WITH s, s.hs_code IN ['7102.29', '7102.39'] AS polished
  RETURN substring(toString(s.shipped_on), 0, 7) AS month, null AS lri, null AS lpo,
         null AS lro, null AS lcs, 0.0 AS sri,
         CASE WHEN polished THEN s.carats ELSE 0.0 END AS spo,
         CASE WHEN polished THEN 0.0 ELSE s.carats END AS sro
}
RETURN month, max(lri) AS ledger_rough_in, sum(sri) AS shipped_rough_in,
       max(lpo) AS ledger_polished_out, sum(spo) AS shipped_polished_out,
       max(lro) AS ledger_rough_out, sum(sro) AS shipped_rough_out,
       max(lcs) AS closing_stock
ORDER BY month;
