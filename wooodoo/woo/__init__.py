"""WooCommerce REST v3 client and the typed models it parses responses into."""
