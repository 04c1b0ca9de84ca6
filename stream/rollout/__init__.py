"""Shadow scoring, canary rollout with guards and rollback, retraining that starts itself."""
