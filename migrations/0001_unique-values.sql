CREATE TABLE `unique_values` (
	`tenant_id` text NOT NULL,
	`resource_type` text NOT NULL,
	`resource_id` text NOT NULL,
	`attribute` text NOT NULL,
	`value` text NOT NULL,
	PRIMARY KEY(`tenant_id`, `resource_type`, `resource_id`, `attribute`)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `unique_values_tenant_value` ON `unique_values` (`tenant_id`,`resource_type`,`attribute`,`value`);