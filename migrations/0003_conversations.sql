CREATE TABLE `message_actions` (
	`owner` text NOT NULL,
	`peer` text NOT NULL,
	`target` text NOT NULL,
	`kind` text NOT NULL,
	`actor` text NOT NULL,
	`direction` text NOT NULL,
	`body` text NOT NULL,
	`encrypted` text,
	`ts` integer NOT NULL,
	PRIMARY KEY(`owner`, `peer`, `target`, `kind`, `actor`)
);
--> statement-breakpoint
ALTER TABLE `conversations` ADD `read_ts` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `conversations` ADD `peer_read_ts` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `conversations` ADD `pinned` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `conversations` ADD `muted` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `conversations` ADD `hidden` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `messages` ADD `reply_to` text;--> statement-breakpoint
ALTER TABLE `messages` ADD `fallback` text;--> statement-breakpoint
ALTER TABLE `messages` ADD `markable` integer DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX `messages_stanza` ON `messages` (`owner`,`peer`,`stanza_id`);--> statement-breakpoint
CREATE INDEX `messages_archive` ON `messages` (`owner`,`archive_id`);