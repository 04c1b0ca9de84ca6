"""The alert domain, pure: windows, scopes, incidents, bad buzz, drift, accuracy
and the per-scope window state. Neither Faust nor Kafka; thresholds come in as config values.
"""
