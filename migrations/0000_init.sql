CREATE TABLE `conversations` (
	`owner` text NOT NULL,
	`peer` text NOT NULL,
	`last_ts` integer NOT NULL,
	`last_body` text NOT NULL,
	`unread` integer NOT NULL,
	PRIMARY KEY(`owner`, `peer`)
);
--> statement-breakpoint
CREATE INDEX `conversations_recent` ON `conversations` (`owner`,`last_ts`);--> statement-breakpoint
CREATE TABLE `messages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`owner` text NOT NULL,
	`peer` text NOT NULL,
	`key` text NOT NULL,
	`stanza_id` text,
	`archive_id` text,
	`direction` text NOT NULL,
	`body` text NOT NULL,
	`ts` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `messages_owner_peer_key` ON `messages` (`owner`,`peer`,`key`);--> statement-breakpoint
CREATE INDEX `messages_page` ON `messages` (`owner`,`peer`,`ts`,`key`);--> statement-breakpoint
CREATE TABLE `presences` (
	`owner` text NOT NULL,
	`jid` text NOT NULL,
	`resource` text NOT NULL,
	`show` text NOT NULL,
	`status` text NOT NULL,
	`priority` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`owner`, `jid`, `resource`)
);
--> statement-breakpoint
CREATE TABLE `receipts` (
	`owner` text NOT NULL,
	`peer` text NOT NULL,
	`stanza_id` text NOT NULL,
	`ts` integer NOT NULL,
	PRIMARY KEY(`owner`, `peer`, `stanza_id`)
);
--> statement-breakpoint
CREATE TABLE `sessions` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`jid` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `sessions_jid` ON `sessions` (`jid`);