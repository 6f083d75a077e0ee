-- The built-in templates now live in code (src/domain/kinds.cpp, one table of which events notify
-- whom); this table keeps only the templates an admin saved, per key, channel and locale. Every
-- row so far was a built-in default written by a migration (there was no way to edit one), and
-- the defaults now render order lines with a Mustache loop, so they all go.
DELETE FROM notification.templates;
ALTER TABLE notification.templates ADD COLUMN html TEXT NOT NULL DEFAULT '';
-- The rendered HTML alternative of a message ("" = made from its text when it is sent).
ALTER TABLE notification.messages ADD COLUMN html TEXT NOT NULL DEFAULT '';
