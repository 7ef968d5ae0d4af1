CREATE TABLE `rooms` (
	`owner` text NOT NULL,
	`room` text NOT NULL,
	`kind` text NOT NULL,
	`name` text,
	`description` text,
	`subject` text,
	`nick` text NOT NULL,
	`autojoin` integer DEFAULT false NOT NULL,
	`notify` text,
	`extensions` text DEFAULT '' NOT NULL,
	`password` text,
	`features` text DEFAULT '{}' NOT NULL,
	`last_archive_id` text,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`owner`, `room`)
);
--> statement-breakpoint
ALTER TABLE `conversations` ADD `kind` text DEFAULT 'chat' NOT NULL;--> statement-breakpoint
ALTER TABLE `messages` ADD `sender_nick` text;--> statement-breakpoint
ALTER TABLE `messages` ADD `sender_occupant_id` text;--> statement-breakpoint
ALTER TABLE `messages` ADD `sender_jid` text;