// name: kp_status_on
// description: Countries that could not trade legitimately under the KPCS on a date.
// explanation: >
//   Every country with a KP status (suspended, expelled, withdrawn, embargoed) in force on
//   the date, and every country that was not a participant then (no membership date, or a
//   later one), with the status period and its note.
// params:
//   day: {type: date, example: "2014-06-01", description: the date}
// returns: [iso3, name, status, start, end, note]
// order: [iso3, status]
MATCH (k:Country)
OPTIONAL MATCH (k)-[:HAD_STATUS]->(st:KPStatus)
  WHERE st.start <= $day AND (st.end IS NULL OR st.end >= $day)
WITH k, st
WHERE st IS NOT NULL OR k.kp_member_since IS NULL OR k.kp_member_since > $day
RETURN k.iso3 AS iso3, k.name AS name, coalesce(st.status, 'not a participant') AS status,
       st.start AS start, st.end AS end, st.note AS note
ORDER BY iso3, status;
