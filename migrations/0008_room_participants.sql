CREATE TABLE `room_participants` (
	`owner` text NOT NULL,
	`room` text NOT NULL,
	`nick` text NOT NULL,
	`rank` integer NOT NULL,
	`role` text NOT NULL,
	`affiliation` text NOT NULL,
	`show` text NOT NULL,
	`jid` text,
	`occupant_id` text,
	PRIMARY KEY(`owner`, `room`, `nick`)
);
