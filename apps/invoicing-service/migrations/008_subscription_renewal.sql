-- A renewal date set by hand now re-bases the schedule (schedule_start) and keeps where the period in progress began.
ALTER TABLE subscriptions DROP COLUMN next_renewal_date, ADD COLUMN bridge_start timestamptz;
