CREATE TABLE `nesting_guard` (
	`depth` integer NOT NULL,
	`nested_groups` integer NOT NULL
);
