// name: flag_hub_value_manipulation
// description: "Red flag hub_value_manipulation: hubs that send rough on far above or below what they paid."
// explanation: >
//   Hubs: free-zone companies, and companies that received rough from a company abroad and
//   sent rough to one, in the period. For each rough parcel a hub sent, the value per carat
//   of the rough it bought in the parcel's calendar month and the months - 1 before: from
//   the parcel's declared origin when that is named and not the hub's own country, of any
//   origin when it is MIXED, unknown or the hub's own. A parcel is judged when all its
//   months lie within the period's data (from its first shipping day) and the hub bought
//   something to compare; it is flagged when its value per carat is at least min_ratio
//   times the dearest purchase (uplift) or at most the cheapest over min_ratio
//   (undervaluation). With each parcel, its ratio, the number of purchases compared, and
//   its ratio to its declared origin's norm (the median value per carat of the period's
//   rough declared from it, when at least min_norm shipments make it). One row per hub
//   and direction, shipments in id order. The rows of `kpgraph flags --rule
//   hub_value_manipulation` (docs/rules.md).
// params:
//   since: {type: date, default: null, example: "2021-01-01", description: first shipping day}
//   until: {type: date, default: null, example: "2021-12-31", description: last shipping day}
//   min_ratio: {type: float, min: 1, max: 1000, default: 3.0, example: 3.0, description: smallest ratio to the dearest purchase (or from the cheapest)}
//   months: {type: int, min: 1, max: 36, default: 3, example: 3, description: calendar months of purchases a parcel is compared with, its own included}
//   min_norm: {type: int, min: 1, max: 1000000.0, default: 20, example: 20, description: fewest shipments that make an origin's norm}
// returns: [company_id, country, direction, origins, ratios, purchases, norm_ratios, shipments, certificates, first_day, last_day]
// order: [company_id, direction]
CALL () {
  MATCH (s:Shipment)
  WHERE ($since IS NULL OR s.shipped_on >= $since) AND ($until IS NULL OR s.shipped_on <= $until)
  WITH min(s.shipped_on) AS first
  RETURN first.year * 12 + first.month - 1 + CASE WHEN first.day > 1 THEN 1 ELSE 0 END
         AS first_month
}
CALL () {
  MATCH (s:Shipment)
  WHERE s.hs_code IN ['7102.10', '7102.21', '7102.31'] AND s.carats > 0 AND s.value_usd > 0
    AND s.declared_origin IS NOT NULL AND s.declared_origin <> 'MIXED'
    AND ($since IS NULL OR s.shipped_on >= $since) AND ($until IS NULL OR s.shipped_on <= $until)
  WITH s.declared_origin AS origin, percentileCont(log(s.value_usd / s.carats), 0.5) AS med,
       count(*) AS n
  WHERE n >= $min_norm
  RETURN collect([origin, med]) AS norms
}
MATCH (h:Company)
WHERE h.free_zone IS NOT NULL
   OR (EXISTS { MATCH (a:Company)-[:EXPORTED]->(v:Shipment)-[:IMPORTED_BY]->(h)
                WHERE a.country <> h.country
                  AND NOT coalesce(v.hs_code, '') IN ['7102.29', '7102.39']
                  AND ($since IS NULL OR v.shipped_on >= $since)
                  AND ($until IS NULL OR v.shipped_on <= $until) }
       AND EXISTS { MATCH (h)-[:EXPORTED]->(y:Shipment)-[:IMPORTED_BY]->(b:Company)
                    WHERE b.country <> h.country
                      AND NOT coalesce(y.hs_code, '') IN ['7102.29', '7102.39']
                      AND ($since IS NULL OR y.shipped_on >= $since)
                      AND ($until IS NULL OR y.shipped_on <= $until) })
// what the hub paid: per month, the lowest and highest log value per carat, of every origin
// ('*') and of each declared origin, in a list indexed by month for constant-time look-ups
CALL (h) {
  MATCH (i:Shipment)-[:IMPORTED_BY]->(h)
  WHERE i.hs_code IN ['7102.10', '7102.21', '7102.31'] AND i.carats > 0 AND i.value_usd > 0
    AND ($since IS NULL OR i.shipped_on >= $since) AND ($until IS NULL OR i.shipped_on <= $until)
  WITH i.shipped_on.year * 12 + i.shipped_on.month - 1 AS m, log(i.value_usd / i.carats) AS lv,
       i.declared_origin AS origin
  UNWIND CASE WHEN origin IS NULL THEN ['*'] ELSE ['*', origin] END AS cls
  WITH m, cls, min(lv) AS lo, max(lv) AS hi, count(*) AS n
  WITH collect([m, cls, lo, hi, n]) AS paid, min(m) AS m0, max(m) AS m1
  WHERE m0 IS NOT NULL
  RETURN m0, [k IN range(m0, m1) | [p IN paid WHERE p[0] = k]] AS by_month
}
MATCH (h)-[:EXPORTED]->(o:Shipment)
WHERE o.hs_code IN ['7102.10', '7102.21', '7102.31'] AND o.carats > 0 AND o.value_usd > 0
  AND ($since IS NULL OR o.shipped_on >= $since) AND ($until IS NULL OR o.shipped_on <= $until)
WITH h, o, by_month, m0, first_month, norms, log(o.value_usd / o.carats) AS lv,
     o.shipped_on.year * 12 + o.shipped_on.month - 1 AS m,
     CASE WHEN o.declared_origin IS NULL OR o.declared_origin IN ['MIXED', h.country] THEN '*'
          ELSE o.declared_origin END AS cls
WHERE m - ($months - 1) >= first_month
WITH h, o, lv, norms,
     reduce(acc = [], k IN range(m - ($months - 1), m) |
            acc + CASE WHEN k < m0 OR k - m0 >= size(by_month) THEN []
                       ELSE [p IN by_month[k - m0] WHERE p[1] = cls] END) AS seen
WHERE size(seen) > 0
WITH h, o, lv, norms,
     exp(lv - reduce(x = seen[0][3], p IN seen | CASE WHEN p[3] > x THEN p[3] ELSE x END)) AS up,
     exp(lv - reduce(x = seen[0][2], p IN seen | CASE WHEN p[2] < x THEN p[2] ELSE x END)) AS down,
     reduce(t = 0, p IN seen | t + p[4]) AS n
WITH h, o, lv, norms, n,
     CASE WHEN up >= $min_ratio THEN 'uplift'
          WHEN down <= 1.0 / $min_ratio THEN 'undervaluation' END AS direction,
     CASE WHEN up >= $min_ratio THEN up ELSE down END AS ratio
WHERE direction IS NOT NULL
WITH h, o, n, direction, ratio,
     [x IN norms WHERE x[0] = o.declared_origin | exp(lv - x[1])][0] AS to_norm
ORDER BY o.shipment_id
WITH h, direction, collect(o) AS ships, collect(ratio) AS ratios, collect(n) AS purchases,
     collect([to_norm]) AS to_norm
RETURN h.company_id AS company_id, h.country AS country, direction,
       COLLECT { UNWIND ships AS s WITH DISTINCT s.declared_origin AS o WHERE o IS NOT NULL
                 RETURN o ORDER BY o } AS origins,
       ratios, purchases, [x IN to_norm | x[0]] AS norm_ratios,
       [s IN ships | s.shipment_id] AS shipments,
       COLLECT { UNWIND ships AS s WITH DISTINCT s.certificate_id AS k WHERE k IS NOT NULL
                 RETURN k ORDER BY k } AS certificates,
       COLLECT { UNWIND ships AS s RETURN s.shipped_on AS d ORDER BY d LIMIT 1 }[0] AS first_day,
       COLLECT { UNWIND ships AS s RETURN s.shipped_on AS d ORDER BY d DESC LIMIT 1 }[0]
         AS last_day
ORDER BY company_id, direction;
