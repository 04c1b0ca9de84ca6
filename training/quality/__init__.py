"""Issue 17's dev protocol: quality levers fitted and scored on the proxies.

`data` holds what every lever shares (the lever data, the in-domain weighting, the teacher's
soft targets), `blends` the VADER blends as lever wrappers, `tfidf_levers` and `lstm_levers`
the recipes, `levers` their names, and `job` the command that runs them.
"""
