CREATE TABLE `scim_event_horizons` (
	`tenant_id` text PRIMARY KEY NOT NULL,
	`pruned_through` integer NOT NULL
);
