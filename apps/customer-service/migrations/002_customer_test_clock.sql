-- The test clock a test-mode customer lives on, fixed at creation.
ALTER TABLE customers ADD COLUMN test_clock text;
