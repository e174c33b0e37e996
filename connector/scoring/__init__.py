"""Engagement scoring: the pure score function, its model file, explanations, task triggers and stats."""
