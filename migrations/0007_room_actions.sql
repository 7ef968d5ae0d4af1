CREATE TABLE `room_reads` (
	`owner` text NOT NULL,
	`room` text NOT NULL,
	`reader` text NOT NULL,
	`nick` text NOT NULL,
	`stanza_id` text NOT NULL,
	`ts` integer NOT NULL,
	PRIMARY KEY(`owner`, `room`, `reader`)
);
--> statement-breakpoint
ALTER TABLE `messages` ADD `origin_id` text;--> statement-breakpoint
CREATE INDEX `messages_origin` ON `messages` (`owner`,`peer`,`origin_id`);