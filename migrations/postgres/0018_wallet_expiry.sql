-- expired openid4vci offers and nonces and vc-api exchanges are deleted by the periodic
-- housekeeping (laurel serve); these indexes let it find them without reading every row.
create index oid4vci_offers_expiry on oid4vci_offers (expires_at);
create index oid4vci_nonces_expiry on oid4vci_nonces (expires_at);
create index wallet_exchanges_expiry on wallet_exchanges (expires_at);
