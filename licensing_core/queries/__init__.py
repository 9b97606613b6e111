"""Read models for pages and exports: every read takes the tenant explicitly."""
