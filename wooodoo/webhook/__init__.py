"""WooCommerce webhooks: the signature check (pure) and, next to it, the receiver."""
