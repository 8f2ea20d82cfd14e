"""Development and test harness: a throwaway Synapse, scripted members, the demo.

Not part of the production client in `bot/`; `minga demo` imports it on demand.
"""
