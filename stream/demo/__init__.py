"""The main job's demo (`deploy/demo.sh`): a replay of real airline tweets with an Air Paradis
bad buzz (`replay`), and the check that its alert came and resolved (`check`)."""
