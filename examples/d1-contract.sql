-- The users of tenant dev through the storage contract (docs/storage-contract.md): only documented
-- columns, scoped by tenant_id, each with its latest change from the outbox (scim_events).
SELECT u.id, u.user_name, u.active, u.version,
  (SELECT e.operation FROM scim_events e
    WHERE e.tenant_id = u.tenant_id AND e.resource_type = 'User' AND e.resource_id = u.id
    ORDER BY e.seq DESC LIMIT 1) AS last_change
FROM users u
WHERE u.tenant_id = 'dev'
ORDER BY u.user_name;
