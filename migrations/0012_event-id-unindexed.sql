-- A change event's id is a random UUID, unique by its randomness, and nothing looks an event up by it
-- (readers page by `seq`). Its unique index cost every write a row written and a page dirtied at a
-- random place in the index. Old code never relied on it either.
DROP INDEX `scim_events_id_unique`;
