-- A child of bench.parent with :rows rows, one orphan in a thousand, for
-- the linear-growth series: bench.growth_<rows>.
SET search_path = bench;
SET session_replication_role = replica;
SELECT format('growth_%s', :rows) AS growth_table \gset
DROP TABLE IF EXISTS :"growth_table";
CREATE TABLE :"growth_table" (id bigint PRIMARY KEY, parent_id int REFERENCES parent, payload int);
INSERT INTO :"growth_table"
SELECT g, CASE WHEN g % 1000 = 0 THEN :parents + g ELSE 1 + g % :parents END, g
FROM generate_series(1, :rows) g;
RESET session_replication_role;
VACUUM ANALYZE :"growth_table";
