import pg from "pg";
const mk = () => new pg.Client({ host: "127.0.0.1", port: 5432, user: "postgres", database: "test" });
const [a, b] = [mk(), mk()];
await a.connect(); await b.connect();
const pid = (await a.query("SELECT pg_backend_pid() p")).rows[0].p;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function counters() {
  await sleep(1100);
  await b.query("SELECT pg_stat_clear_snapshot()");
  const r = await b.query("SELECT c.relname, c.relfilenode, s.seq_scan, s.idx_scan FROM pg_class c LEFT JOIN pg_stat_all_tables s ON s.relid = c.oid WHERE c.relnamespace = 'mg'::regnamespace");
  return new Map(r.rows.map((x) => [x.relname, x]));
}
export async function measure(setup, sql, { tx = true } = {}) {
  await a.query("DROP SCHEMA IF EXISTS mg CASCADE; CREATE SCHEMA mg; SET search_path = mg, public");
  await a.query(setup);
  await a.query("SELECT pg_stat_force_next_flush()");
  const before = await counters();
  let locks;
  if (tx) {
    await a.query("BEGIN");
    await a.query(sql);
    locks = (await b.query("SELECT c.relname, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE l.pid = $1 AND c.relnamespace = 'mg'::regnamespace ORDER BY 1", [pid])).rows.map((r) => `${r.relname}:${r.mode.replace(/Lock$/, "")}`);
    await a.query("SELECT pg_stat_force_next_flush()");
    await a.query("COMMIT");
  } else {
    await a.query(sql);
    await a.query("SELECT pg_stat_force_next_flush()");
    locks = ["(not observed)"];
  }
  await a.query("SELECT 1");
  const after = await counters();
  const work = [];
  for (const [name, x] of before) {
    const y = after.get(name);
    if (!y) { work.push(`${name}:gone`); continue; }
    if (x.relfilenode !== y.relfilenode && x.relfilenode !== 0) work.push(`${name}:REWRITE`);
    if (x.seq_scan !== null && Number(y.seq_scan) > Number(x.seq_scan)) work.push(`${name}:seqscan+${Number(y.seq_scan) - Number(x.seq_scan)}`);
    if (x.idx_scan !== null && Number(y.idx_scan ?? 0) > Number(x.idx_scan ?? 0)) work.push(`${name}:idxscan+${Number(y.idx_scan) - Number(x.idx_scan)}`);
  }
  return { locks, work };
}
const cases = JSON.parse(process.argv[2]);
for (const c of cases) {
  try { const r = await measure(c.setup, c.sql, c); console.log(JSON.stringify({ sql: c.sql, ...r })); }
  catch (e) { console.log(JSON.stringify({ sql: c.sql, error: e.message })); await a.query("ROLLBACK").catch(() => {}); }
}
await a.end(); await b.end();
