-- A pre-upgrade check, run before PostgreSQL 18 only: a key between columns
-- of different collations where one of them is nondeterministic. 18 refuses
-- to create such a key, so restoring a dump into 18, or pg_upgrade to 18,
-- fails on it; fk_lint says so, with the fix.
CREATE SCHEMA pre18;
SET search_path = pre18, public;
CREATE COLLATION case_insensitive (provider = icu, locale = 'und-u-ks-level2',
                                   deterministic = false);
CREATE TABLE tags (name text COLLATE case_insensitive PRIMARY KEY);
CREATE TABLE posts (id int PRIMARY KEY, tag text COLLATE "C" REFERENCES tags);
CREATE TABLE same (name text COLLATE case_insensitive PRIMARY KEY);
CREATE TABLE uses_same (tag text COLLATE case_insensitive REFERENCES same);
-- Two deterministic collations may differ: 18 accepts that.
CREATE TABLE words (w text COLLATE "C" PRIMARY KEY);
CREATE TABLE uses_words (w text COLLATE "POSIX" REFERENCES words);
SELECT child_table, "check", severity, detail, fix FROM fk_lint()
WHERE "check" = 'collation_mismatch' ORDER BY 1;
-- The fix gives the child the referenced column's collation; the key then
-- compares as it did (the referenced column's collation decided), and is
-- one 18 accepts.
INSERT INTO tags VALUES ('News');
INSERT INTO posts VALUES (1, 'news');
SELECT fix FROM fk_lint('posts') WHERE "check" = 'collation_mismatch' \gexec
SELECT count(*) AS mismatches FROM fk_lint() WHERE "check" = 'collation_mismatch';
SELECT count(*) AS orphans FROM fk_orphans('posts');
RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA pre18 CASCADE;
RESET client_min_messages;
