CREATE TABLE `webhook_dead_letters` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`endpoint_id` text NOT NULL,
	`event_id` text NOT NULL,
	`message` text NOT NULL,
	`parked_at` text NOT NULL,
	`replayed_at` text
);
--> statement-breakpoint
CREATE INDEX `webhook_dead_letters_endpoint_seq` ON `webhook_dead_letters` (`endpoint_id`,`seq`);