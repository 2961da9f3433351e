"""Kinds of record for data intake: 排污许可 (permits), 信用评价与处罚
(credit), 专家库 (experts), 咨询机构 (consultancies).
Each Kind is registered with rules.intake; its planner is in queries/intake_registers.py."""

from __future__ import annotations
