-- Plans as their streams say they are now (the current version), and every version as it was made.
CREATE TABLE plans (
  id              text NOT NULL UNIQUE,
  organization_id text NOT NULL,
  mode            text NOT NULL,
  code            text NOT NULL,
  version         integer NOT NULL,
  status          text NOT NULL,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL,
  PRIMARY KEY (organization_id, mode, code)
);
CREATE INDEX plans_listing ON plans (organization_id, mode, created_at DESC, id DESC);

CREATE TABLE plan_versions (
  plan_id    text NOT NULL,
  version    integer NOT NULL,
  definition jsonb NOT NULL,
  made_at    timestamptz NOT NULL,
  PRIMARY KEY (plan_id, version)
);
