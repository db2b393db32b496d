// name: flag_ledger_below_shipments
// description: "Red flag ledger_below_shipments: cutting centres whose ledger records less rough in than their shipments delivered."
// explanation: >
//   For each company with a ledger, the rough shipped to it in the period, by month: what
//   left at least transit_days before the month's end (so it arrived within the month) and
//   what left later (it arrived that month or the next), for every month from its first
//   ledger month to its last (a month missing among them recorded no rough in). The
//   months where the first is more than the ledger's rough in (missing = 0) by over
//   tolerance of it and over min_carats; and the pairs of consecutive months, neither
//   short alone, where the first month's rough and the second's sure rough are more than
//   the two months' rough in, by the same margin. One row per company: the months, the
//   windows (first and last month) in order with the ledger's and the delivered carats,
//   and their shipments and certificates. The rows of `kpgraph flags --rule
//   ledger_below_shipments` (docs/rules.md).
// params:
//   since: {type: date, default: null, example: "2021-01-01", description: first shipping day}
//   until: {type: date, default: null, example: "2021-12-31", description: last shipping day}
//   transit_days: {type: int, min: 0, max: 365, default: 10, example: 10, description: days a shipment may travel}
//   tolerance: {type: float, min: 0, max: 1, default: 0.1, example: 0.1, description: share of the delivered carats the ledger may lack}
//   min_carats: {type: float, min: 0, max: 1000000000.0, default: 50.0, example: 50.0, description: smallest shortfall that counts}
// returns: [company_id, country, months, windows, ledger, delivered, shipments, certificates]
// order: [company_id]
MATCH (p:Company) WHERE EXISTS { (p)-[:RECORDED]->(:ProductionRecord) }
CALL (p) {
  MATCH (s:Shipment)-[:IMPORTED_BY]->(p)
  WHERE s.hs_code IN ['7102.10', '7102.21', '7102.31']
    AND ($since IS NULL OR s.shipped_on >= $since) AND ($until IS NULL OR s.shipped_on <= $until)
  WITH s, substring(toString(s.shipped_on), 0, 7) AS month,
       s.shipped_on <= date.truncate('month', s.shipped_on) + duration({months: 1})
                       - duration({days: 1 + $transit_days}) AS sure
  WITH month, collect(CASE WHEN sure THEN s END) AS sure, collect(CASE WHEN NOT sure THEN s END) AS late
  RETURN collect({month: month, sure: sure, late: late}) AS trade
}
MATCH (p)-[:RECORDED]->(r:ProductionRecord)
WITH p, trade, r ORDER BY r.month
WITH p, trade, collect(r) AS records
// every month from the first ledger month to the last; one missing recorded no rough in
WITH p, trade, records, date(records[0].month + '-01') AS m0
WITH p, trade, records,
     [i IN range(0, duration.inMonths(m0, date(records[-1].month + '-01')).months) |
      substring(toString(m0 + duration({months: i})), 0, 7)] AS months
WITH p, [m IN months |
         {month: m, ledger: coalesce([r IN records WHERE r.month = m | r.rough_in_carats][0], 0.0),
          next: substring(toString(date(m + '-01') + duration({months: 1})), 0, 7),
          sure: coalesce([t IN trade WHERE t.month = m | t.sure][0], []),
          late: coalesce([t IN trade WHERE t.month = m | t.late][0], [])}] AS ms
WITH p, [m IN ms | m {.*, got: reduce(c = 0.0, s IN m.sure | c + s.carats)}] AS ms
WITH p, ms, [m IN ms WHERE m.got > 0 AND m.got - m.ledger >
             CASE WHEN $tolerance * m.got > $min_carats THEN $tolerance * m.got ELSE $min_carats END
             | m.month] AS alone
WITH p, ms, alone,
     [m IN ms WHERE m.month IN alone |
      {first: m.month, last: m.month, ledger: m.ledger, delivered: m.got, ships: m.sure}]
     + [i IN range(0, size(ms) - 2) WHERE ms[i + 1].month = ms[i].next
          AND NOT ms[i].month IN alone AND NOT ms[i + 1].month IN alone |
        {first: ms[i].month, last: ms[i + 1].month, ledger: ms[i].ledger + ms[i + 1].ledger,
         delivered: ms[i].got + reduce(c = 0.0, s IN ms[i].late | c + s.carats) + ms[i + 1].got,
         ships: ms[i].sure + ms[i].late + ms[i + 1].sure}] AS candidates
WITH p, [w IN candidates WHERE w.delivered - w.ledger >
         CASE WHEN $tolerance * w.delivered > $min_carats THEN $tolerance * w.delivered
              ELSE $min_carats END] AS found
WHERE size(found) > 0
UNWIND found AS w
WITH p, w ORDER BY w.first, w.last
WITH p, collect(w) AS windows
RETURN p.company_id AS company_id, p.country AS country,
       COLLECT { UNWIND windows AS w UNWIND [w.first, w.last] AS m RETURN DISTINCT m ORDER BY m }
         AS months,
       [w IN windows | [w.first, w.last]] AS windows,
       [w IN windows | w.ledger] AS ledger, [w IN windows | w.delivered] AS delivered,
       COLLECT { UNWIND windows AS w UNWIND w.ships AS s RETURN DISTINCT s.shipment_id AS id
                 ORDER BY id } AS shipments,
       COLLECT { UNWIND windows AS w UNWIND w.ships AS s WITH DISTINCT s.certificate_id AS k
                 WHERE k IS NOT NULL RETURN k ORDER BY k } AS certificates
ORDER BY company_id;
