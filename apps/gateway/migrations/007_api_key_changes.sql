-- Gateways keep the callers their API keys resolve to in memory (ADR 0056): any change to a key or to its
-- organization, by any session (the admin API, the CLI, an operator's SQL), tells every gateway of this schema to
-- forget what it holds. A new key needs no notice: what is not found is never kept.
CREATE FUNCTION notify_api_key_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('afternoon_api_key_changes', TG_TABLE_SCHEMA);
  RETURN NULL;
END
$$;

CREATE TRIGGER api_keys_changed AFTER UPDATE OR DELETE OR TRUNCATE ON api_keys
  FOR EACH STATEMENT EXECUTE FUNCTION notify_api_key_change();
CREATE TRIGGER organizations_changed AFTER UPDATE OR DELETE OR TRUNCATE ON organizations
  FOR EACH STATEMENT EXECUTE FUNCTION notify_api_key_change();
