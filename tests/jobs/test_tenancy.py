"""The jobs' route table, read by the tenancy coverage test; the cases live in test_jobs."""

from tests.jobs.test_jobs import JOB_ROUTES

__all__ = ["JOB_ROUTES"]
