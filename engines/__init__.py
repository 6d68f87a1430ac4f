"""Workbench engines: pure compute (torch, numpy, scipy), never Qt.

Every long computation is a *job*: a plain function taking a :class:`engines.jobs.Reporter` as
its first argument, which reports progress, streams partial results and checks for cancellation.
"""
