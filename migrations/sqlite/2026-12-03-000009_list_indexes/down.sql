DROP INDEX support_groups_name;
DROP INDEX meetings_name;
