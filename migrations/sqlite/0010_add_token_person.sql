-- A broker token made by a person signed in through the identity provider (or by a token such a
-- person made) speaks for that person: the two-person and review rules of break-glass compare
-- people, so one person cannot approve their own request with a token they created.
ALTER TABLE operator_token ADD COLUMN person TEXT NULL;
