CREATE TABLE `group_members` (
	`tenant_id` text NOT NULL,
	`group_id` text NOT NULL,
	`member_id` text NOT NULL,
	`member_type` text NOT NULL,
	PRIMARY KEY(`tenant_id`, `group_id`, `member_id`)
);
--> statement-breakpoint
CREATE INDEX `group_members_tenant_member` ON `group_members` (`tenant_id`,`member_id`,`group_id`);--> statement-breakpoint
CREATE TABLE `groups` (
	`tenant_id` text NOT NULL,
	`id` text NOT NULL,
	`display_name` text NOT NULL,
	`display_name_folded` text NOT NULL,
	`external_id` text,
	`created` text NOT NULL,
	`last_modified` text NOT NULL,
	`version` integer NOT NULL,
	`resource` text NOT NULL,
	`resource_folded` text NOT NULL,
	PRIMARY KEY(`tenant_id`, `id`)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `groups_tenant_display_name` ON `groups` (`tenant_id`,`display_name_folded`);--> statement-breakpoint
CREATE INDEX `groups_tenant_external_id` ON `groups` (`tenant_id`,`external_id`);--> statement-breakpoint
CREATE INDEX `groups_tenant_created` ON `groups` (`tenant_id`,`created`,`id`);--> statement-breakpoint
CREATE INDEX `groups_tenant_last_modified` ON `groups` (`tenant_id`,`last_modified`,`id`);--> statement-breakpoint
CREATE TABLE `scim_events` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`resource_type` text NOT NULL,
	`resource_id` text NOT NULL,
	`operation` text NOT NULL,
	`attributes` text,
	`member_ids` text,
	`version` integer,
	`occurred_at` text NOT NULL,
	`token_id` text,
	`delivered_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `scim_events_id_unique` ON `scim_events` (`id`);--> statement-breakpoint
CREATE INDEX `scim_events_tenant_seq` ON `scim_events` (`tenant_id`,`seq`);--> statement-breakpoint
CREATE INDEX `scim_events_undelivered` ON `scim_events` (`seq`) WHERE delivered_at IS NULL;--> statement-breakpoint
CREATE TABLE `user_emails` (
	`tenant_id` text NOT NULL,
	`user_id` text NOT NULL,
	`position` integer NOT NULL,
	`value` text,
	`value_folded` text,
	`type_folded` text,
	`primary` integer DEFAULT false NOT NULL,
	PRIMARY KEY(`tenant_id`, `user_id`, `position`)
);
--> statement-breakpoint
CREATE INDEX `user_emails_tenant_value` ON `user_emails` (`tenant_id`,`value_folded`,`user_id`);--> statement-breakpoint
CREATE TABLE `users` (
	`tenant_id` text NOT NULL,
	`id` text NOT NULL,
	`user_name` text NOT NULL,
	`user_name_folded` text NOT NULL,
	`external_id` text,
	`display_name` text,
	`display_name_folded` text,
	`active` integer,
	`created` text NOT NULL,
	`last_modified` text NOT NULL,
	`version` integer NOT NULL,
	`resource` text NOT NULL,
	`resource_folded` text NOT NULL,
	PRIMARY KEY(`tenant_id`, `id`)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_tenant_user_name` ON `users` (`tenant_id`,`user_name_folded`);--> statement-breakpoint
CREATE INDEX `users_tenant_external_id` ON `users` (`tenant_id`,`external_id`);--> statement-breakpoint
CREATE INDEX `users_tenant_display_name` ON `users` (`tenant_id`,`display_name_folded`);--> statement-breakpoint
CREATE INDEX `users_tenant_created` ON `users` (`tenant_id`,`created`,`id`);--> statement-breakpoint
CREATE INDEX `users_tenant_last_modified` ON `users` (`tenant_id`,`last_modified`,`id`);--> statement-breakpoint
CREATE TABLE `write_guard` (
	`conflict` integer NOT NULL
);
