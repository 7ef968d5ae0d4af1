-- Search in time order without sorting every match (issue #7 §7: ≥ 50× LIKE, also for a word in 6% of
-- messages). The FTS5 rowid becomes a time-ordered key, (ts / 60000) << 36 | id: the minute of the message, then
-- its id (unique, < 2^36). FTS5 walks a term's matches by rowid, so "newest first" is now the index's own order:
-- a page reads ~50 matches instead of sorting all of them (src/db/search.ts). The id comes back as rowid & (2^36 - 1).
-- Contentless (content=''): the rowid is no longer a messages rowid, so FTS5 cannot read bodies from messages; it
-- never needs to (bodies are read from messages through that id). A contentless table deletes with the 'delete'
-- command and the old values, as the triggers do. Same tokenizer as before.
DROP TRIGGER IF EXISTS `messages_fts_insert`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `messages_fts_delete`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `messages_fts_update`;
--> statement-breakpoint
DROP TABLE IF EXISTS `messages_fts`;
--> statement-breakpoint
CREATE VIRTUAL TABLE `messages_fts` USING fts5(body, content='', tokenize='unicode61 remove_diacritics 2');
--> statement-breakpoint
CREATE TRIGGER `messages_fts_insert` AFTER INSERT ON `messages` WHEN new.encrypted IS NULL BEGIN
  INSERT INTO messages_fts(rowid, body) VALUES (((new.ts / 60000) << 36) | new.id, new.body);
END;
--> statement-breakpoint
CREATE TRIGGER `messages_fts_delete` AFTER DELETE ON `messages` WHEN old.encrypted IS NULL BEGIN
  INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', ((old.ts / 60000) << 36) | old.id, old.body);
END;
--> statement-breakpoint
CREATE TRIGGER `messages_fts_update` AFTER UPDATE OF body, ts, encrypted ON `messages` BEGIN
  INSERT INTO messages_fts(messages_fts, rowid, body) SELECT 'delete', ((old.ts / 60000) << 36) | old.id, old.body
    WHERE old.encrypted IS NULL;
  INSERT INTO messages_fts(rowid, body) SELECT ((new.ts / 60000) << 36) | new.id, new.body
    WHERE new.encrypted IS NULL;
END;
--> statement-breakpoint
INSERT INTO messages_fts(rowid, body) SELECT ((ts / 60000) << 36) | id, body FROM messages WHERE encrypted IS NULL;
