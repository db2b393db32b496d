// name: flag_certificate_mismatch
// description: "Red flag certificate_mismatch: certificates whose carats or value differ from their shipment's."
// explanation: >
//   Rough shipments of the period that are the only rough shipment on their certificate
//   in it, where the certificate's carats or value differ from the shipment's by more
//   than the tolerance (a share of the shipment's). The rows of `kpgraph flags --rule
//   certificate_mismatch` (docs/rules.md).
// params:
//   since: {type: date, default: null, example: "2021-01-01", description: first shipping day}
//   until: {type: date, default: null, example: "2021-12-31", description: last shipping day}
//   tolerance: {type: float, min: 0, max: 10, default: 0.02, example: 0.02, description: largest relative difference}
// returns: [certificate_id, shipments, companies, issuing_country, first_day, last_day, certificate_carats, shipment_carats, certificate_value_usd, shipment_value_usd]
// order: [certificate_id]
MATCH (s:Shipment)-[:COVERED_BY]->(k:Certificate)
WHERE s.hs_code IN ['7102.10', '7102.21', '7102.31']
  AND ($since IS NULL OR s.shipped_on >= $since) AND ($until IS NULL OR s.shipped_on <= $until)
WITH k, collect(s) AS ships
WHERE size(ships) = 1
WITH k, ships[0] AS s
WITH k, s, abs(k.carats - s.carats) / s.carats AS dc,
     CASE WHEN s.value_usd > 0 AND k.value_usd IS NOT NULL
          THEN abs(k.value_usd - s.value_usd) / s.value_usd ELSE 0.0 END AS dv
WHERE dc > $tolerance OR dv > $tolerance
RETURN k.certificate_id AS certificate_id, [s.shipment_id] AS shipments,
       COLLECT { UNWIND [s.exporter_id, s.importer_id] AS c RETURN DISTINCT c ORDER BY c }
         AS companies,
       k.issuing_country AS issuing_country, s.shipped_on AS first_day,
       s.shipped_on AS last_day, k.carats AS certificate_carats, s.carats AS shipment_carats,
       k.value_usd AS certificate_value_usd, s.value_usd AS shipment_value_usd
ORDER BY certificate_id;
