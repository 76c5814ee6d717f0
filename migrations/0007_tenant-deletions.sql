CREATE TABLE `tenant_deletions` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_name` text NOT NULL,
	`db` text NOT NULL,
	`requested_at` text NOT NULL,
	`final_round_after` text NOT NULL,
	`rounds` integer DEFAULT 0 NOT NULL,
	`rows_deleted` integer DEFAULT 0 NOT NULL,
	`rows_left` integer,
	`last_round_at` text,
	`finished_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tenant_deletions_running` ON `tenant_deletions` (`tenant_name`) WHERE "tenant_deletions"."finished_at" IS NULL;--> statement-breakpoint
CREATE INDEX `tenant_deletions_tenant` ON `tenant_deletions` (`tenant_name`,`requested_at`);