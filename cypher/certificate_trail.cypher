// name: certificate_trail
// description: A KP certificate, and every shipment that travelled on it.
// explanation: >
//   One row per shipment covered by the certificate (none if no shipment used it), with
//   the certificate's own issuer, dates, parties and figures beside the shipment's, so
//   that reuse, a wrong issuer, a late shipment or figures that disagree stand out.
// params:
//   certificate_id: {type: string, example: KP-BWA-0000001, description: the certificate}
// returns: [certificate_id, issuing_country, issued_on, expires_on, confirmed_on, cert_exporter_id, cert_importer_id, cert_origin, cert_carats, cert_value_usd, shipment_id, shipped_on, exporter_id, importer_id, carats, value_usd]
// order: [shipped_on, shipment_id]
MATCH (k:Certificate {certificate_id: $certificate_id})
OPTIONAL MATCH (s:Shipment)-[:COVERED_BY]->(k)
RETURN k.certificate_id AS certificate_id, k.issuing_country AS issuing_country,
       k.issued_on AS issued_on, k.expires_on AS expires_on, k.confirmed_on AS confirmed_on,
       k.exporter_id AS cert_exporter_id, k.importer_id AS cert_importer_id,
       k.origin AS cert_origin, k.carats AS cert_carats, k.value_usd AS cert_value_usd,
       s.shipment_id AS shipment_id, s.shipped_on AS shipped_on,
       s.exporter_id AS exporter_id, s.importer_id AS importer_id,
       s.carats AS carats, s.value_usd AS value_usd
ORDER BY shipped_on, shipment_id;
