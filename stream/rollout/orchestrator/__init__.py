"""`airparadis-stream orchestrator`: the learning loop's one decision-maker.

A small Faust process beside the workers (its own consumer group, one instance):
- `stepper`: follows the registry record, starts a rollout (shadow) when the gate approves
  a new version (`rollout_start_alias`), and applies the guards to the `Tally` of the
  current step (advance, hold, rollback + a `rollout` alert);
- `retrainer`: a debounced retrain request (alert or schedule) runs `retrain_command` and
  publishes request, skip and outcome events;
- `feeds`: scored events, shadow records, dead letters and feedback into the tally, and
  raised `accuracy`/`drift` alerts into retrain requests;
- `schedule`: the monthly crontab (`retrain_cron`) and the guards' timer
  (`rollout_check_interval_s`);
- `app`: the Faust app that wires them, its `/metrics`, and `run_orchestrator`.
"""
