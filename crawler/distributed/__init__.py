"""Distributed crawling on a shared Redis frontier (opt-in: POLICYWATCH_FRONTIER); see docs/deployment.md."""
