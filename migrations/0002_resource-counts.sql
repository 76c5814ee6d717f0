CREATE TABLE `resource_counts` (
	`tenant_id` text NOT NULL,
	`resource_type` text NOT NULL,
	`count` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `resource_type`)
);
--> statement-breakpoint
-- Backfill: the counts of what is already stored; from here on every create and delete keeps them.
INSERT INTO `resource_counts` (`tenant_id`, `resource_type`, `count`)
  SELECT `tenant_id`, 'User', count(*) FROM `users` GROUP BY `tenant_id`;--> statement-breakpoint
INSERT INTO `resource_counts` (`tenant_id`, `resource_type`, `count`)
  SELECT `tenant_id`, 'Group', count(*) FROM `groups` GROUP BY `tenant_id`;
