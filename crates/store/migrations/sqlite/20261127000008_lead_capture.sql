-- Lead capture: the draft of a lead being collected in a conversation (JSON, written with
-- each turn), and lookups to merge a new lead into an earlier one of the same visitor,
-- phone or email instead of duplicating it.
ALTER TABLE conversations ADD COLUMN lead_draft TEXT;
CREATE INDEX leads_business_visitor ON leads (business_id, visitor_id);
CREATE INDEX leads_business_phone ON leads (business_id, phone);
CREATE INDEX leads_business_email ON leads (business_id, email);
