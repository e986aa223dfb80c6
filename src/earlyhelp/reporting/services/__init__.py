"""Statistics, returns, research extracts and the Ofsted list."""
