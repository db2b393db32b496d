// name: flag_mixed_origin_recertification
// description: "Red flag mixed_origin_recertification: companies that take in high-risk rough and send it on as MIXED."
// explanation: >
//   High-risk origins: countries with a KP status period, countries that were never
//   participants, and the historical list. For each company that received at least
//   min_inbound rough shipments declared from them in the period, the share of its rough
//   inbound carats they make up and the share of its rough outbound carats declared MIXED;
//   one row per company where both reach min_share, with the high-risk inbound and MIXED
//   outbound shipments, their companies, certificates and days. The rows of `kpgraph
//   flags --rule mixed_origin_recertification` (docs/rules.md).
// params:
//   since: {type: date, default: null, example: "2021-01-01", description: first shipping day}
//   until: {type: date, default: null, example: "2021-12-31", description: last shipping day}
//   min_share: {type: float, min: 0, max: 1, default: 0.95, example: 0.95, description: smallest high-risk and MIXED share}
//   min_inbound: {type: int, min: 1, max: 1000000.0, default: 3, example: 3, description: fewest high-risk inbound shipments}
//   historical: {type: "list[string]", default: [CAF, COG, VEN, CIV, LBR, ZWE], example: [CAF], description: participants with a record of suspension or embargo in the scheme's history}
// returns: [company_id, origins, high_risk_in_carats, high_risk_share, mixed_out_carats, mixed_share, companies, shipments, certificates, first_day, last_day]
// order: [company_id]
CALL () {
  MATCH (c:Country)
  WHERE c.kp_member_since IS NULL OR EXISTS { (c)-[:HAD_STATUS]->(:KPStatus) }
  RETURN collect(c.iso3) + $historical AS risky
}
MATCH (s:Shipment)-[:IMPORTED_BY]->(h:Company)
WHERE s.hs_code IN ['7102.10', '7102.21', '7102.31'] AND s.declared_origin IN risky
  AND ($since IS NULL OR s.shipped_on >= $since) AND ($until IS NULL OR s.shipped_on <= $until)
WITH h, collect(s) AS risky_in, sum(s.carats) AS risky_ct
WHERE size(risky_in) >= $min_inbound
CALL (h) {
  MATCH (s:Shipment)-[:IMPORTED_BY]->(h)
  WHERE s.hs_code IN ['7102.10', '7102.21', '7102.31']
    AND ($since IS NULL OR s.shipped_on >= $since) AND ($until IS NULL OR s.shipped_on <= $until)
  RETURN sum(s.carats) AS inbound_ct
}
WITH h, risky_in, risky_ct, risky_ct / inbound_ct AS share_in
WHERE share_in >= $min_share
CALL (h) {
  MATCH (h)-[:EXPORTED]->(s:Shipment)
  WHERE s.hs_code IN ['7102.10', '7102.21', '7102.31']
    AND ($since IS NULL OR s.shipped_on >= $since) AND ($until IS NULL OR s.shipped_on <= $until)
  RETURN sum(s.carats) AS sent_ct, [x IN collect(s) WHERE x.declared_origin = 'MIXED'] AS mixed
}
WITH h, risky_in, risky_ct, share_in, sent_ct, mixed,
     reduce(t = 0.0, s IN mixed | t + s.carats) AS mixed_ct
WHERE sent_ct > 0 AND mixed_ct / sent_ct >= $min_share
WITH h, risky_in, risky_ct, share_in, mixed, mixed_ct, mixed_ct / sent_ct AS share_mixed,
     risky_in + mixed AS ships
RETURN h.company_id AS company_id,
       COLLECT { UNWIND risky_in AS s RETURN DISTINCT s.declared_origin AS o ORDER BY o }
         AS origins,
       risky_ct AS high_risk_in_carats, share_in AS high_risk_share,
       mixed_ct AS mixed_out_carats, share_mixed AS mixed_share,
       COLLECT { UNWIND [h.company_id] + [s IN risky_in | s.exporter_id]
                        + [s IN mixed | s.importer_id] AS c
                 RETURN DISTINCT c ORDER BY c } AS companies,
       COLLECT { UNWIND ships AS s RETURN s.shipment_id AS id ORDER BY id } AS shipments,
       COLLECT { UNWIND ships AS s WITH DISTINCT s.certificate_id AS k WHERE k IS NOT NULL
                 RETURN k ORDER BY k } AS certificates,
       COLLECT { UNWIND ships AS s RETURN s.shipped_on AS d ORDER BY d LIMIT 1 }[0] AS first_day,
       COLLECT { UNWIND ships AS s RETURN s.shipped_on AS d ORDER BY d DESC LIMIT 1 }[0]
         AS last_day
ORDER BY company_id;
