DROP TABLE instance_secrets;
DROP TABLE support_links;
DROP TABLE memberships;
DROP TABLE support_groups;
DROP TABLE credentials;
DROP TABLE members;
