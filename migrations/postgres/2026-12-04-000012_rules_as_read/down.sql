-- The rules' old spelling is not kept: nothing to undo.
SELECT 1;
