-- Hosted invoice pages look an invoice up by the random token at the end of its public_invoice_url.
CREATE INDEX invoices_by_public_token
  ON invoices ((substring(document->>'public_invoice_url' from '/inv/([A-Za-z0-9_-]+)$')));
