"""Minga, a Matrix bot."""
