// name: flag_hub_value_manipulation
// description: "Red flag hub_value_manipulation: hubs that send rough on far above or below its origin's norm."
// explanation: >
//   Each named origin's norm: the median and the MAD (scaled by 1.4826, at least 0.05) of
//   the log value per carat of the period's rough declared from it, when at least min_norm
//   shipments make it. Rough a hub sent (a free-zone company, or one that received rough
//   from a company abroad and sent rough to one, in the period) whose value per carat is
//   beyond threshold robust deviations of its origin's norm and at least min_ratio times
//   above or below it. One row per hub and direction (uplift, undervaluation), with the
//   shipments in id order, their ratios to the norm and robust z, certificates and days.
//   The rows of `kpgraph flags --rule hub_value_manipulation` (docs/rules.md).
// params:
//   since: {type: date, default: null, example: "2021-01-01", description: first shipping day}
//   until: {type: date, default: null, example: "2021-12-31", description: last shipping day}
//   min_ratio: {type: float, default: 3.0, example: 3.0, description: smallest ratio to the norm (or its inverse)}
//   threshold: {type: float, default: 3.5, example: 3.5, description: smallest robust z}
//   min_norm: {type: int, default: 20, example: 20, description: fewest shipments that make a norm}
// returns: [company_id, country, direction, origins, ratios, z, shipments, certificates, first_day, last_day]
// order: [company_id, direction]
MATCH (s:Shipment)
WHERE s.hs_code IN ['7102.10', '7102.21', '7102.31'] AND s.carats > 0 AND s.value_usd > 0
  AND s.declared_origin IS NOT NULL AND s.declared_origin <> 'MIXED'
  AND ($since IS NULL OR s.shipped_on >= $since) AND ($until IS NULL OR s.shipped_on <= $until)
WITH s, log(s.value_usd / s.carats) AS lv
WITH s.declared_origin AS origin, collect([s, lv]) AS ships, percentileCont(lv, 0.5) AS med
WHERE size(ships) >= $min_norm
CALL (ships, med) {
  UNWIND ships AS x
  RETURN percentileCont(abs(x[1] - med), 0.5) * 1.4826 AS mad
}
WITH ships, med, CASE WHEN mad < 0.05 THEN 0.05 ELSE mad END AS mad
UNWIND ships AS x
WITH x[0] AS s, exp(x[1] - med) AS ratio, (x[1] - med) / mad AS z
WHERE abs(z) > $threshold AND (ratio >= $min_ratio OR ratio <= 1.0 / $min_ratio)
// the exporter is looked up for the deviant parcels only
MATCH (h:Company)-[:EXPORTED]->(s)
WHERE (h.free_zone IS NOT NULL
       OR (EXISTS { MATCH (a:Company)-[:EXPORTED]->(v:Shipment)-[:IMPORTED_BY]->(h)
                    WHERE a.country <> h.country
                      AND NOT coalesce(v.hs_code, '') IN ['7102.29', '7102.39']
                      AND ($since IS NULL OR v.shipped_on >= $since)
                      AND ($until IS NULL OR v.shipped_on <= $until) }
           AND EXISTS { MATCH (h)-[:EXPORTED]->(y:Shipment)-[:IMPORTED_BY]->(b:Company)
                        WHERE b.country <> h.country
                          AND NOT coalesce(y.hs_code, '') IN ['7102.29', '7102.39']
                          AND ($since IS NULL OR y.shipped_on >= $since)
                          AND ($until IS NULL OR y.shipped_on <= $until) }))
WITH h, s, ratio, z, CASE WHEN ratio > 1 THEN 'uplift' ELSE 'undervaluation' END AS direction
ORDER BY s.shipment_id
WITH h, direction, collect(s) AS ships, collect(ratio) AS ratios, collect(z) AS z
RETURN h.company_id AS company_id, h.country AS country, direction,
       COLLECT { UNWIND ships AS s RETURN DISTINCT s.declared_origin AS o ORDER BY o } AS origins,
       ratios, z,
       [s IN ships | s.shipment_id] AS shipments,
       COLLECT { UNWIND ships AS s WITH DISTINCT s.certificate_id AS k WHERE k IS NOT NULL
                 RETURN k ORDER BY k } AS certificates,
       COLLECT { UNWIND ships AS s RETURN s.shipped_on AS d ORDER BY d LIMIT 1 }[0] AS first_day,
       COLLECT { UNWIND ships AS s RETURN s.shipped_on AS d ORDER BY d DESC LIMIT 1 }[0]
         AS last_day
ORDER BY company_id, direction;
