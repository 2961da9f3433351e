"""Kinds of record for data intake: 名单批次与列入企业 (listings), 评估与验收结论
(results), 清洁生产方案 (options).
Each Kind is registered with rules.intake; its planner is in queries/intake_audits.py."""

from __future__ import annotations
