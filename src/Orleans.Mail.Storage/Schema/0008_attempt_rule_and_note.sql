-- Which classification rule decided each attempt (operators extend the rules and need to see which one
-- fired), and a note on the session, e.g. that STARTTLS failed and the message went in cleartext.
ALTER TABLE delivery_attempt ADD COLUMN rule text;
ALTER TABLE delivery_attempt ADD COLUMN note text;
