-- A user's own rows go with it, inside the DELETE of the user: its group memberships, emails and
-- unique values. A DELETE of a user is then one statement where it was four (each statement of a
-- batch costs D1 a round of its own work). Old code still deletes them first, so this suits it too.
-- They are few per user (MAX_MULTI_VALUED_ELEMENTS emails, one row per group), so a round of a
-- tenant's deletion stays bounded. Groups keep explicit statements: a group's members are unbounded.
CREATE TRIGGER `users_delete_own_rows` AFTER DELETE ON `users` BEGIN
  DELETE FROM `group_members` WHERE `tenant_id` = old.`tenant_id` AND `member_id` = old.`id`;
  DELETE FROM `user_emails` WHERE `tenant_id` = old.`tenant_id` AND `user_id` = old.`id`;
  DELETE FROM `unique_values` WHERE `tenant_id` = old.`tenant_id` AND `resource_type` = 'User' AND `resource_id` = old.`id`;
END;
