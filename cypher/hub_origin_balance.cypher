// name: hub_origin_balance
// description: A company's rough in and out by declared origin, high-risk origins first.
// explanation: >
//   One row per declared origin of the rough (HS 7102.10, 7102.21, 7102.31) the company
//   received or sent in the period, MIXED and unknown included: shipments, carats and
//   value in and out, and the carats received under that origin that did not leave under
//   it (in minus out; negative when more left under the name than came in). High-risk
//   origins are those of the mixed_origin_recertification rule: countries with a KP status
//   period, countries that were never participants, and the historical list. A hub that
//   receives high-risk rough and sends none on under those names, while its MIXED out
//   exceeds its MIXED in, is re-certifying it; the rule flags such a hub only when that is
//   nearly all of its trade, and this table is how to look at one where it is a part.
// params:
//   company_id: {type: string, example: C000123, description: the company}
//   since: {type: date, default: null, example: "2021-01-01", description: first shipping day}
//   until: {type: date, default: null, example: "2021-12-31", description: last shipping day}
//   historical: {type: "list[string]", default: [CAF, COG, VEN, CIV, LBR, ZWE], example: [CAF], description: participants with a record of suspension or embargo in the scheme's history}
// returns: [origin, high_risk, shipments_in, carats_in, value_in, shipments_out, carats_out, value_out, carats_in_not_out]
// order: [high_risk DESC, origin]
CALL () {
  MATCH (c:Country)
  WHERE c.kp_member_since IS NULL OR EXISTS { (c)-[:HAD_STATUS]->(:KPStatus) }
  RETURN collect(c.iso3) + $historical AS risky
}
MATCH (h:Company {company_id: $company_id})
CALL (h) {
  MATCH (s:Shipment)-[:IMPORTED_BY]->(h)
  RETURN s, 'in' AS way
  UNION ALL
  MATCH (h)-[:EXPORTED]->(s:Shipment)
  RETURN s, 'out' AS way
}
WITH risky, s, way
WHERE s.hs_code IN ['7102.10', '7102.21', '7102.31']
  AND ($since IS NULL OR s.shipped_on >= $since) AND ($until IS NULL OR s.shipped_on <= $until)
WITH risky, s.declared_origin AS origin,
     sum(CASE way WHEN 'in' THEN 1 ELSE 0 END) AS shipments_in,
     sum(CASE way WHEN 'in' THEN s.carats ELSE 0.0 END) AS carats_in,
     sum(CASE way WHEN 'in' THEN s.value_usd ELSE 0.0 END) AS value_in,
     sum(CASE way WHEN 'out' THEN 1 ELSE 0 END) AS shipments_out,
     sum(CASE way WHEN 'out' THEN s.carats ELSE 0.0 END) AS carats_out,
     sum(CASE way WHEN 'out' THEN s.value_usd ELSE 0.0 END) AS value_out
RETURN origin, coalesce(origin IN risky, false) AS high_risk, shipments_in, carats_in,
       value_in, shipments_out, carats_out, value_out, carats_in - carats_out AS carats_in_not_out
ORDER BY high_risk DESC, origin;
