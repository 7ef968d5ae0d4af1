-- Full-text search over the clear text of messages (issue #7 §5): SQLite FTS5, an external-content table over
-- messages, kept in step by triggers. Encrypted messages are never indexed here (the server has no text for
-- them; browsers search their own plaintext cache). Hand-written: drizzle-kit does not model virtual tables.
CREATE VIRTUAL TABLE `messages_fts` USING fts5(body, content='messages', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
--> statement-breakpoint
CREATE TRIGGER `messages_fts_insert` AFTER INSERT ON `messages` WHEN new.encrypted IS NULL BEGIN
  INSERT INTO messages_fts(rowid, body) VALUES (new.id, new.body);
END;
--> statement-breakpoint
CREATE TRIGGER `messages_fts_delete` AFTER DELETE ON `messages` WHEN old.encrypted IS NULL BEGIN
  INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
END;
--> statement-breakpoint
CREATE TRIGGER `messages_fts_update` AFTER UPDATE OF body ON `messages` WHEN old.encrypted IS NULL BEGIN
  INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
  INSERT INTO messages_fts(rowid, body) VALUES (new.id, new.body);
END;
--> statement-breakpoint
INSERT INTO messages_fts(rowid, body) SELECT id, body FROM messages WHERE encrypted IS NULL;
--> statement-breakpoint
-- Unread counts now derive from the read position (XEP-0490): a conversation read before this migration is
-- read up to its last message.
UPDATE conversations SET read_ts = last_ts WHERE unread = 0;
