"""Kinds of record for data intake: 园区 (parks), 整体审核 (clusters), 计划目标
(targets).
Each Kind is registered with rules.intake; its planner is in queries/intake_places.py."""

from __future__ import annotations
