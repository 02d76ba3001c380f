-- Each organization's low-balance thresholds (per mode): [{denomination, amount}], amounts exact decimal strings.
ALTER TABLE billing_settings ADD COLUMN low_balance_thresholds jsonb NOT NULL DEFAULT '[]';
