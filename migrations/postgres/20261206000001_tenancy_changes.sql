-- Credentials sealed since this migration bind account, consumer and connection as associated
-- data (aad_version 2); older rows bind the connection id only (1) until they are re-sealed.
ALTER TABLE connections ADD COLUMN aad_version BIGINT NOT NULL DEFAULT 1;

-- Every change to a consumer or to one of its connections is announced on `passerelle_tenancy`
-- with the consumer's id, at commit, so that every replica drops what it keeps about it. A
-- trigger catches every path: API writes, cascades (an account or a consumer deleted with its
-- connections), `passerelle rotate-key` and hand-written SQL.
CREATE FUNCTION passerelle_connection_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM pg_notify('passerelle_tenancy', OLD.consumer_id);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM pg_notify('passerelle_tenancy', NEW.consumer_id);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER connections_announce AFTER INSERT OR UPDATE OR DELETE ON connections
    FOR EACH ROW EXECUTE FUNCTION passerelle_connection_changed();

CREATE FUNCTION passerelle_consumer_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('passerelle_tenancy', OLD.id);
    RETURN NULL;
END
$$;

CREATE TRIGGER consumers_announce AFTER UPDATE OR DELETE ON consumers
    FOR EACH ROW EXECUTE FUNCTION passerelle_consumer_changed();
