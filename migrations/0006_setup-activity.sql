CREATE TABLE `scim_failures` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`tenant_name` text NOT NULL,
	`at` text NOT NULL,
	`status` integer NOT NULL,
	`scim_type` text,
	`detail` text,
	`method` text NOT NULL,
	`endpoint` text NOT NULL,
	`resource_id` text,
	`client` text NOT NULL,
	`request_id` text,
	`token_id` text
);
--> statement-breakpoint
CREATE INDEX `scim_failures_tenant_seq` ON `scim_failures` (`tenant_name`,`seq`);--> statement-breakpoint
CREATE INDEX `scim_failures_at` ON `scim_failures` (`at`);--> statement-breakpoint
CREATE TABLE `scim_usage` (
	`tenant_name` text NOT NULL,
	`client` text NOT NULL,
	`method` text NOT NULL,
	`endpoint` text NOT NULL,
	`status` integer NOT NULL,
	`count` integer NOT NULL,
	`first_at` text NOT NULL,
	`last_at` text NOT NULL,
	PRIMARY KEY(`tenant_name`, `client`, `method`, `endpoint`, `status`)
);
--> statement-breakpoint
CREATE INDEX `scim_usage_last` ON `scim_usage` (`last_at`);--> statement-breakpoint
CREATE TABLE `setup_links` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_name` text NOT NULL,
	`hash` text NOT NULL,
	`created_at` text NOT NULL,
	`expires_at` text NOT NULL,
	`redeemed_at` text,
	`revoked_at` text,
	`created_by` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `setup_links_hash` ON `setup_links` (`hash`);--> statement-breakpoint
CREATE INDEX `setup_links_tenant` ON `setup_links` (`tenant_name`);--> statement-breakpoint
CREATE TABLE `setup_sessions` (
	`hash` text PRIMARY KEY NOT NULL,
	`tenant_name` text NOT NULL,
	`link_id` text NOT NULL,
	`created_at` text NOT NULL,
	`expires_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `setup_sessions_link` ON `setup_sessions` (`link_id`);--> statement-breakpoint
CREATE INDEX `setup_sessions_expires` ON `setup_sessions` (`expires_at`);--> statement-breakpoint
CREATE TABLE `tenant_activity` (
	`tenant_name` text PRIMARY KEY NOT NULL,
	`last_at` text NOT NULL,
	`last_client` text NOT NULL,
	`last_status` integer NOT NULL,
	`unitemized_failures` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `token_usage` (
	`tenant_name` text NOT NULL,
	`token_id` text NOT NULL,
	`last_at` text NOT NULL,
	`client` text NOT NULL,
	PRIMARY KEY(`tenant_name`, `token_id`)
);
