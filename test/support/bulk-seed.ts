/**
 * A large directory written straight into D1 with a few INSERT … SELECT statements (recursive CTEs),
 * as its SCIM creates would have left it: users with an email each, groups, every user a member of
 * one group, the counts and a change event per resource. Through SCIM, 20,000 users would take
 * minutes on a loaded machine and show nothing more about deleting them.
 */
const numbers = (count: string) =>
  `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${count})`

export async function seedDirectory(db: D1Database, tenant: string, users: number, groups: number) {
  const now = new Date().toISOString()
  const statements = [
    `${numbers('?2')} INSERT INTO users (tenant_id, id, created, last_modified, version, resource, resource_folded,
       user_name, user_name_folded, active)
     SELECT ?1, 'u' || i, ?3, ?3, 1, json_object('userName', 'user' || i || '@bulk.example'),
       json_object('userName', 'user' || i || '@bulk.example'), 'user' || i || '@bulk.example',
       'user' || i || '@bulk.example', 1 FROM n`,
    `${numbers('?2')} INSERT INTO user_emails (tenant_id, user_id, position, value, value_folded, type_folded, "primary")
     SELECT ?1, 'u' || i, 0, 'user' || i || '@bulk.example', 'user' || i || '@bulk.example', 'work', 1 FROM n`,
    `${numbers('?4')} INSERT INTO groups (tenant_id, id, created, last_modified, version, resource, resource_folded,
       display_name, display_name_folded)
     SELECT ?1, 'g' || i, ?3, ?3, 1, json_object('displayName', 'Group ' || i),
       json_object('displayName', 'group ' || i), 'Group ' || i, 'group ' || i FROM n`,
    `${numbers('?2')} INSERT INTO group_members (tenant_id, group_id, member_id, member_type)
     SELECT ?1, 'g' || (1 + i % ?4), 'u' || i, 'User' FROM n`,
    `INSERT INTO resource_counts (tenant_id, resource_type, count) VALUES (?1, 'User', ?2), (?1, 'Group', ?4)`,
    `${numbers('?2 + ?4')} INSERT INTO scim_events (id, tenant_id, resource_type, resource_id, operation, version, occurred_at)
     SELECT ?1 || '-seed-' || i, ?1, CASE WHEN i <= ?2 THEN 'User' ELSE 'Group' END,
       CASE WHEN i <= ?2 THEN 'u' || i ELSE 'g' || (i - ?2) END, 'created', 1, ?3 FROM n`,
  ]
  const params = [tenant, users, now, groups]
  // SQLite counts parameters up to the highest ?N a statement names; D1 wants exactly that many.
  const highest = (sql: string) => Math.max(...[...sql.matchAll(/\?(\d)/g)].map((m) => Number(m[1])))
  await db.batch(statements.map((sql) => db.prepare(sql).bind(...params.slice(0, highest(sql)))))
}
