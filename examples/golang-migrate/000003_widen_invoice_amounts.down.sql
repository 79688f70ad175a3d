-- TODO: narrowing back could overflow
SELECT 1;
