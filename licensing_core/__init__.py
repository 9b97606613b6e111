"""License subscription engine: rules, storage, imports, exports and alerts."""
