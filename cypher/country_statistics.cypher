// name: country_statistics
// description: A country's published KP statistics, period by period, with value per carat.
// explanation: >
//   The kp_statistics rows of one participant (half-years, or whole years where half is
//   null), with production, exports and imports, and the value per carat of each.
// params:
//   iso3: {type: string, example: BWA, description: the participant}
// returns: [iso3, year, half, production_carats, production_usd, production_usd_per_carat, export_carats, export_usd, export_usd_per_carat, import_carats, import_usd, import_usd_per_carat]
// order: [year, half]
MATCH (:Country {iso3: $iso3})-[:REPORTED]->(r:KPStatistic)
RETURN r.iso3 AS iso3, r.year AS year, r.half AS half,
       r.production_carats AS production_carats, r.production_usd AS production_usd,
       CASE WHEN r.production_carats > 0 THEN r.production_usd / r.production_carats END
         AS production_usd_per_carat,
       r.export_carats AS export_carats, r.export_usd AS export_usd,
       CASE WHEN r.export_carats > 0 THEN r.export_usd / r.export_carats END
         AS export_usd_per_carat,
       r.import_carats AS import_carats, r.import_usd AS import_usd,
       CASE WHEN r.import_carats > 0 THEN r.import_usd / r.import_carats END
         AS import_usd_per_carat
ORDER BY year, half;
