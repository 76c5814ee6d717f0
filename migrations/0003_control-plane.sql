CREATE TABLE `admin_audit` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` text NOT NULL,
	`key_id` text,
	`method` text NOT NULL,
	`path` text NOT NULL,
	`tenant` text,
	`status` integer NOT NULL,
	`request_id` text
);
--> statement-breakpoint
CREATE INDEX `admin_audit_tenant_seq` ON `admin_audit` (`tenant`,`seq`);--> statement-breakpoint
CREATE TABLE `admin_idempotency` (
	`key_id` text NOT NULL,
	`method` text NOT NULL,
	`path` text NOT NULL,
	`idempotency_key` text NOT NULL,
	`request_hash` text NOT NULL,
	`status` integer,
	`response` text,
	`created_at` text NOT NULL,
	PRIMARY KEY(`key_id`, `method`, `path`, `idempotency_key`)
);
--> statement-breakpoint
CREATE INDEX `admin_idempotency_created` ON `admin_idempotency` (`created_at`);--> statement-breakpoint
CREATE TABLE `operator_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`hash` text NOT NULL,
	`label` text,
	`created_at` text NOT NULL,
	`revoked_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `operator_keys_hash` ON `operator_keys` (`hash`);--> statement-breakpoint
CREATE TABLE `tenant_tokens` (
	`tenant_name` text NOT NULL,
	`id` text NOT NULL,
	`hash` text NOT NULL,
	`label` text,
	`created_at` text NOT NULL,
	`expires_at` text,
	PRIMARY KEY(`tenant_name`, `id`)
);
--> statement-breakpoint
CREATE TABLE `tenants` (
	`name` text PRIMARY KEY NOT NULL,
	`status` text NOT NULL,
	`db` text NOT NULL,
	`label` text,
	`metadata` text,
	`created_at` text NOT NULL,
	`schemas` text,
	`revision` integer DEFAULT 1 NOT NULL,
	`published_revision` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `tenants_status_name` ON `tenants` (`status`,`name`);