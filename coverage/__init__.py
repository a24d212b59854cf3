"""The coverage evaluator: policy tables as data, usage accumulators, decisions with articles."""
